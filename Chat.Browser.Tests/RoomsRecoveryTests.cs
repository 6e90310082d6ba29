using System.Text.Json;
using Fleck.Chat.Browser.Tests.Support;
using Fleck.Chat.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using static Fleck.Chat.Browser.Tests.Support.RoomsPage;

namespace Fleck.Chat.Browser.Tests;

/// <summary>
/// The rooms page after a reconnect: it joins each room again from the last offset it showed, so
/// what was said meanwhile, on any node, appears once and in order, or the room says that some
/// messages may be missing.
/// </summary>
public sealed class RoomsRecoveryTests : BrowserTest
{
    private const string MissingLine = "Some messages may be missing";

    [Test]
    public async Task A_page_whose_node_went_down_shows_what_was_said_through_the_other_node_once_and_in_order()
    {
        using var redis = await RedisProcess.StartAsync();
        await using var nodeA = await RunningChat.StartAsync("rooms", s => s with { Redis = redis.Configuration });
        await using var nodeB = await RunningChat.StartAsync("rooms", s => s with { Redis = redis.Configuration });
        var page = await Browser.NewPersonAsync();
        var sockets = new SocketLog(page);
        var anna = await SignInAsync(page, nodeA, "Anna");
        await JoinRoomAsync(anna, "kitchen"); // where nothing is said before the page drops
        await JoinRoomAsync(anna, "lobby");
        var ct = TestTimeouts.Token(TestTimeouts.Recovery);
        await using var ben = await TypedClient.ConnectAsync(nodeB.WebSocketPort, "/websocket/Ben", ct);
        foreach (var room in new[] { "kitchen", "lobby" })
        {
            await ben.SendJsonAsync(new { type = "join", room }, ct);
            await ben.ReceiveEventAsync("joined", ct);
        }
        await SayThroughAsync(ben, ct, "one");
        await Expect(Lines(anna, "message", "one")).ToHaveCountAsync(1);
        await SayAsync(anna, "two");
        await Expect(Lines(anna, "own", "two")).ToHaveCountAsync(1);
        await ben.ReceiveEventsUntilAsync(e => IsMessage(e, "two"), ct);
        // The page shows "two" before Playwright reports its echo: the offset to resume from is that echo's.
        var first = await sockets.SessionThatReceivedAsync("message", ct, s => s.ReceivedEvents("message").Any(e => IsMessage(e, "two")));
        Assert.That(first, Is.SameAs(sockets.Sessions[0]));
        var epochs = first.ReceivedEvents("joined").ToDictionary(e => e.GetProperty("room").GetString()!, e => e.GetProperty("epoch").GetString());
        var lastOffset = first.ReceivedEvents("message")[^1].GetProperty("offset").GetInt64();

        await nodeA.StopAsync();
        await Expect(anna.Locator("#status")).ToHaveClassAsync("reconnecting");
        await SayThroughAsync(ben, ct, "three", "four", "five");
        await SayInRoomAsync(ben, ct, "kitchen", "in the kitchen");
        await nodeA.StartAgainAsync();

        await Expect(Lines(anna, "history", "five")).ToHaveCountAsync(1);
        await SayThroughAsync(ben, ct, "six");
        await Expect(anna.Locator("#messages li.message .text")).ToHaveTextAsync(["one", "two", "three", "four", "five", "six"]);
        await Expect(Lines(anna, "missing", MissingLine)).ToHaveCountAsync(0);
        await anna.ClickAsync("#my-rooms li[data-room=kitchen]");
        await Expect(anna.Locator("#messages li.message .text")).ToHaveTextAsync(["in the kitchen"]);
        await Expect(Lines(anna, "missing", MissingLine)).ToHaveCountAsync(0);

        // The page joined each room again from what it had shown (nothing, in the kitchen), and got
        // exactly what it missed there.
        var resumed = await sockets.SessionThatReceivedAsync("recovered", ct, s => s.ReceivedEvents("recovered").Count >= 2);
        Assert.That(resumed, Is.Not.SameAs(first));
        var rejoins = resumed.SentCommands("join").ToDictionary(c => c.GetProperty("room").GetString()!);
        Assert.That(rejoins.Keys, Is.EquivalentTo(new[] { "kitchen", "lobby" }));
        Assert.That(rejoins["lobby"].GetProperty("since").GetInt64(), Is.EqualTo(lastOffset));
        Assert.That(rejoins["kitchen"].GetProperty("since").GetInt64(), Is.Zero);
        foreach (var (room, rejoin) in rejoins)
        {
            Assert.That(rejoin.GetProperty("epoch").GetString(), Is.EqualTo(epochs[room]), room);
        }
        var recovered = resumed.ReceivedEvents("recovered").ToDictionary(e => e.GetProperty("room").GetString()!);
        Assert.That(recovered.Keys, Is.EquivalentTo(new[] { "kitchen", "lobby" }));
        Assert.That(recovered.Values.Select(e => e.GetProperty("recovered").GetBoolean()), Is.All.True);
        Assert.That(recovered["lobby"].GetProperty("count").GetInt32(), Is.EqualTo(3));
        Assert.That(recovered["kitchen"].GetProperty("count").GetInt32(), Is.EqualTo(1));
    }

    [Test]
    public async Task When_a_room_lost_its_history_the_page_says_so_in_that_room()
    {
        await using var chat = await RunningChat.StartAsync("rooms");
        var page = await Browser.NewPersonAsync();
        await page.Clock.InstallAsync();
        var anna = await SignInAsync(page, chat, "Anna");
        await JoinRoomAsync(anna, "kitchen");
        await JoinRoomAsync(anna, "lobby");
        await SayAsync(anna, "before the restart");
        await Expect(Lines(anna, "own", "before the restart")).ToHaveCountAsync(1);

        // Kept in memory only, the room's history goes with the server: it comes back with a new epoch.
        await RestartWhileHeldAsync(anna, chat);
        var ct = TestTimeouts.Token();
        await using var ben = await TypedClient.ConnectAsync(chat.WebSocketPort, "/websocket/Ben", ct);
        await ben.SendJsonAsync(new { type = "join", room = "lobby" }, ct);
        await ben.ReceiveEventAsync("joined", ct);
        await SayThroughAsync(ben, ct, "after the restart");
        await ReleaseTimersAsync(anna);

        await Expect(Lines(anna, "system.missing", MissingLine)).ToBeVisibleAsync();
        await SayThroughAsync(ben, ct, "marker");
        await Expect(anna.Locator("#messages li.message .text")).ToHaveTextAsync(["before the restart", "after the restart", "marker"]);
        await Expect(Lines(anna, "missing", MissingLine)).ToHaveCountAsync(1);
        await Screenshots.SaveAsync(anna, "rooms-missing");
    }

    /// <summary>Sends each text to the lobby and waits until the server has echoed the last one.</summary>
    private static Task SayThroughAsync(TypedClient client, CancellationToken ct, params string[] texts) =>
        SayInRoomAsync(client, ct, "lobby", texts);

    /// <summary>Sends each text to <paramref name="room"/> and waits until the server has echoed the last one.</summary>
    private static async Task SayInRoomAsync(TypedClient client, CancellationToken ct, string room, params string[] texts)
    {
        foreach (var text in texts)
        {
            await client.SendJsonAsync(new { type = "message", room, msg = text }, ct);
        }
        await client.ReceiveEventsUntilAsync(e => IsMessage(e, texts[^1]), ct);
    }

    private static bool IsMessage(JsonElement e, string text) =>
        e.GetProperty("type").GetString() == "message" && e.GetProperty("msg").GetString() == text;
}
