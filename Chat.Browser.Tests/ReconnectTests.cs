using Fleck.Chat.Browser.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Fleck.Chat.Browser.Tests;

/// <summary>A page that loses the server keeps trying, with backoff, and signs in again under the same nickname.</summary>
public sealed class ReconnectTests : BrowserTest
{
    [Test]
    public async Task Pages_reconnect_by_themselves_after_the_server_restarts_on_the_same_port()
    {
        await using var chat = await RunningChat.StartAsync("nick-broadcast");
        var anna = await JoinAsync(chat, "Anna");
        var ben = await JoinAsync(chat, "Ben", phone: true);
        await SayAsync(anna, "before the restart");
        await Expect(Lines(ben, "message", "before the restart")).ToHaveCountAsync(1);

        await chat.StopAsync();
        await Expect(anna.Locator("#status")).ToHaveClassAsync("reconnecting");
        await Expect(ben.Locator("#status")).ToHaveClassAsync("reconnecting");
        await Expect(Lines(anna, "system", "the server is restarting")).ToHaveCountAsync(1);
        await chat.StartAgainAsync();

        await Expect(anna.Locator("#status")).ToHaveClassAsync("connected");
        await Expect(ben.Locator("#status")).ToHaveClassAsync("connected");
        // Who reconnects first is down to each page's random backoff, so the order is not checked.
        await Expect(anna.Locator("#users li")).ToHaveCountAsync(2);
        await Expect(anna.Locator("#users li", new() { HasText = "Ben" })).ToHaveCountAsync(1);
        await SayAsync(anna, "after the restart");
        await Expect(Lines(ben, "message", "after the restart").Locator(".sender")).ToHaveTextAsync("Anna");
        await Expect(Lines(ben, "message", "before the restart")).ToHaveCountAsync(1);
    }

    [Test]
    public async Task A_taken_nickname_is_refused_on_the_sign_in_form_and_the_first_user_keeps_it()
    {
        await using var chat = await RunningChat.StartAsync("nick-broadcast");
        var anna = await JoinAsync(chat, "Anna");
        var impostor = await OpenAsync(await Browser.NewPersonAsync(), chat);

        await impostor.FillAsync("#nickname", "anna");
        await impostor.PressAsync("#nickname", "Enter");

        await Expect(impostor.Locator("#login-form")).ToBeVisibleAsync();
        await Expect(impostor.Locator("#login-error")).Not.ToBeEmptyAsync();
        await Expect(impostor.Locator("#status")).ToHaveClassAsync("disconnected");
        await SayAsync(anna, "still me");
        await Expect(Lines(anna, "own", "still me")).ToHaveCountAsync(1);
        await Expect(anna.Locator("#users li")).ToHaveTextAsync(["Anna"]);
    }
}
