using Fleck.Chat.Browser.Tests.Support;
using Fleck.Chat.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Fleck.Chat.Browser.Tests;

/// <summary>"Load older messages": what a joiner was not replayed (past <c>--history</c>) comes page by page from what is kept.</summary>
public sealed class OlderMessagesPageTests : BrowserTest
{
    private static readonly string[] Said = ["one", "two", "three", "four", "five", "six"];

    [Test]
    public async Task Older_messages_load_above_the_replayed_ones_and_the_button_goes_when_none_are_left()
    {
        await using var chat = await RunningChat.StartAsync("nick-broadcast", s => s with { History = 2 });
        var ct = TestTimeouts.Token();
        await using (var ben = await TypedClient.ConnectAsync(chat.WebSocketPort, "/websocket/Ben", ct))
        {
            foreach (var text in Said)
            {
                await ben.SendJsonAsync(new { msg = text }, ct);
            }
            await ben.ReceiveEventAsync("message", e => e.GetProperty("msg").GetString() == "six", ct);
        }
        var anna = await JoinAsync(chat, "Anna");
        await Expect(anna.Locator("#messages li.message .text")).ToHaveTextAsync(["five", "six"]);
        await Expect(anna.Locator("#older")).ToBeVisibleAsync();

        await anna.ClickAsync("#older");

        await Expect(anna.Locator("#messages li.message .text")).ToHaveTextAsync(Said);
        await Expect(anna.Locator("#older")).ToBeHiddenAsync();
    }

    [Test]
    public async Task A_rooms_older_messages_load_in_that_room()
    {
        await using var chat = await RunningChat.StartAsync("rooms", s => s with { History = 2 });
        var ct = TestTimeouts.Token();
        await using (var ben = await TypedClient.ConnectAsync(chat.WebSocketPort, "/websocket/Ben", ct))
        {
            await ben.JoinedAsync("lobby", ct);
            foreach (var text in Said)
            {
                await ben.SayAsync("lobby", text, ct);
            }
            await ben.ReceiveEventAsync("message", e => e.GetProperty("msg").GetString() == "six", ct);
        }
        var anna = await RoomsPage.SignInAsync(await Browser.NewPersonAsync(), chat, "Anna");
        await RoomsPage.JoinRoomAsync(anna, "lobby");
        await Expect(anna.Locator("#messages li.message .text")).ToHaveTextAsync(["five", "six"]);

        await anna.ClickAsync("#older");

        await Expect(anna.Locator("#messages li.message .text")).ToHaveTextAsync(Said);
        await Expect(anna.Locator("#older")).ToBeHiddenAsync();
    }
}
