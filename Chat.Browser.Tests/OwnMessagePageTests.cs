using Fleck.Chat.Browser.Tests.Support;
using Fleck.Chat.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Fleck.Chat.Browser.Tests;

/// <summary>
/// Own messages on the pages built on the client: shown at once as pending, plain once the server
/// acknowledged them, failed with the reason when it refused them, and sent exactly once when the
/// network blinks while they are written.
/// </summary>
public sealed class OwnMessagePageTests : BrowserTest
{
    [Test]
    public async Task A_message_sent_while_the_network_blinks_shows_once_on_both_sides()
    {
        await using var chat = await RunningChat.StartAsync("nick-broadcast");
        var anna = await JoinAsync(chat, "Anna");
        var ben = await JoinAsync(chat, "Ben");

        await anna.Context.SetOfflineAsync(true);
        await Expect(anna.Locator("#status")).Not.ToHaveClassAsync("connected");
        await SayAsync(anna, "through the blink");
        await Expect(Lines(anna, "own.pending", "through the blink")).ToHaveCountAsync(1);
        await anna.Context.SetOfflineAsync(false);

        await Expect(anna.Locator("#status")).ToHaveClassAsync("connected");
        await Expect(anna.Locator("#messages li.pending")).ToHaveCountAsync(0);
        await Expect(Lines(ben, "message", "through the blink").Locator(".sender")).ToHaveTextAsync("Anna");
        await SayAsync(ben, "marker");
        await Expect(Lines(anna, "message", "marker")).ToHaveCountAsync(1);
        await Expect(Lines(anna, "own", "through the blink")).ToHaveCountAsync(1);
        await Expect(Lines(ben, "message", "through the blink")).ToHaveCountAsync(1);
        await Expect(anna.Locator("#messages li.message .text")).ToHaveTextAsync(["through the blink", "marker"]);
    }

    [Test]
    public async Task A_room_message_sent_while_the_network_blinks_shows_once_on_both_sides()
    {
        await using var chat = await RunningChat.StartAsync("rooms");
        var anna = await RoomsPage.SignInAsync(await Browser.NewPersonAsync(), chat, "Anna");
        var ben = await RoomsPage.SignInAsync(await Browser.NewPersonAsync(), chat, "Ben");
        await RoomsPage.JoinRoomAsync(anna, "lobby");
        await RoomsPage.JoinRoomAsync(ben, "lobby");

        await anna.Context.SetOfflineAsync(true);
        await Expect(anna.Locator("#status")).Not.ToHaveClassAsync("connected");
        await SayAsync(anna, "through the blink");
        await Expect(Lines(anna, "own.pending", "through the blink")).ToHaveCountAsync(1);
        await anna.Context.SetOfflineAsync(false);

        await Expect(anna.Locator("#messages li.pending")).ToHaveCountAsync(0);
        await Expect(Lines(ben, "message", "through the blink").Locator(".sender")).ToHaveTextAsync("Anna");
        await SayAsync(ben, "marker");
        await Expect(Lines(anna, "message", "marker")).ToHaveCountAsync(1);
        await Expect(anna.Locator("#messages li.message .text")).ToHaveTextAsync(["through the blink", "marker"]);
        await Expect(ben.Locator("#messages li.message .text")).ToHaveTextAsync(["through the blink", "marker"]);
    }

    [Test]
    public async Task A_refused_message_is_shown_as_failed_with_the_reason_and_reaches_nobody()
    {
        await using var chat = await RunningChat.StartAsync("nick-broadcast", s => s with { Rate = 0.05, Burst = 1 });
        var anna = await JoinAsync(chat, "Anna");
        var ben = await JoinAsync(chat, "Ben");

        await SayAsync(anna, "first");
        await Expect(Lines(ben, "message", "first")).ToHaveCountAsync(1);
        await SayAsync(anna, "one too many");

        var refused = Lines(anna, "own.failed", "one too many");
        await Expect(refused.Locator(".reason")).ToContainTextAsync("not sent");
        await Expect(anna.Locator("#messages li.pending")).ToHaveCountAsync(0);
        var ct = TestTimeouts.Token();
        await using var carl = await TypedClient.ConnectAsync(chat.WebSocketPort, "/websocket/Carl", ct);
        await carl.SendJsonAsync(new { msg = "marker" }, ct);
        await Expect(Lines(ben, "message", "marker")).ToHaveCountAsync(1);
        await Expect(Lines(ben, "message", "one too many")).ToHaveCountAsync(0);
        await Expect(Lines(anna, "own", "first")).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("pending|failed"));
    }
}
