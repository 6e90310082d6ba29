using Fleck.Chat.Browser.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Fleck.Chat.Browser.Tests;

/// <summary>The typing line: "Ben is typing…" while Ben writes, gone with his message or 3 s after his last notice.</summary>
public sealed class TypingLinePageTests : BrowserTest
{
    [Test]
    public async Task Someone_typing_is_shown_and_the_line_clears_when_their_message_arrives()
    {
        await using var chat = await RunningChat.StartAsync("nick-broadcast");
        var anna = await JoinAsync(chat, "Anna");
        var ben = await JoinAsync(chat, "Ben");

        await ben.FillAsync("#msg", "hello an");
        await Expect(anna.Locator("#typing")).ToHaveTextAsync("Ben is typing…");
        await Expect(ben.Locator("#typing")).ToBeEmptyAsync();
        await ben.FillAsync("#msg", "hello anna");
        await ben.PressAsync("#msg", "Enter");

        await Expect(Lines(anna, "message", "hello anna")).ToHaveCountAsync(1);
        await Expect(anna.Locator("#typing")).ToBeEmptyAsync();
    }

    [Test]
    public async Task The_typing_line_clears_three_seconds_after_the_last_notice()
    {
        await using var chat = await RunningChat.StartAsync("rooms");
        var page = await Browser.NewPersonAsync();
        await page.Clock.InstallAsync();
        var anna = await RoomsPage.SignInAsync(page, chat, "Anna");
        var ben = await RoomsPage.SignInAsync(await Browser.NewPersonAsync(), chat, "Ben");
        await RoomsPage.JoinRoomAsync(anna, "lobby");
        await RoomsPage.JoinRoomAsync(ben, "lobby");

        await ben.FillAsync("#msg", "thinking");
        await Expect(anna.Locator("#typing")).ToHaveTextAsync("Ben is typing…");
        await anna.Clock.RunForAsync(2000);
        await Expect(anna.Locator("#typing")).ToHaveTextAsync("Ben is typing…");
        await anna.Clock.RunForAsync(1500);

        await Expect(anna.Locator("#typing")).ToBeEmptyAsync();
    }
}
