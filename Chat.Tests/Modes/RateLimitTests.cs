using System.Text.Json;
using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Modes;

[CancelAfter(30_000)]
public sealed class RateLimitTests
{
    [Test]
    public async Task Messages_past_the_burst_get_a_rate_limited_error_and_are_dropped()
    {
        var ct = TestTimeouts.Token();
        var options = new ChatServerOptions { MessagesPerSecond = 0.001, MessageBurst = 3 };
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode(), options);
        var alice = await chat.JoinAsync("alice", ct);
        var bob = await chat.JoinAsync("bob", ct);
        await alice.ReceiveEventAsync("join", ct);

        for (var i = 0; i < 5; i++)
        {
            await alice.SendTextAsync($"m{i}", ct);
        }
        var untilError = await alice.ReceiveEventsUntilAsync(e => Type(e) == "error", ct);
        // m4 reached the server before the error for m3 left it, and one connection's messages are
        // handled in order: had m3 or m4 been let through, it would reach alice before bob's marker.
        await bob.SendTextAsync("marker", ct);
        var untilMarker = await alice.ReceiveEventsUntilAsync(e => Type(e) == "message" && Text(e) == "marker", ct);

        Assert.That(untilError.Select(Describe), Is.EqualTo(new[] { "message m0", "message m1", "message m2", "error " + ChatErrorCode.RateLimited }));
        Assert.That(untilMarker.Select(Describe), Is.EqualTo(new[] { "message marker" }), "the rest was dropped, with no second error");
    }

    [Test]
    public async Task Persistent_flooding_is_closed_with_1008_and_others_are_unaffected()
    {
        var ct = TestTimeouts.Token();
        var options = new ChatServerOptions { MessagesPerSecond = 0.001, MessageBurst = 2 };
        await using var chat = await ChatFixture.StartAsync(new BroadcastMode(), options);
        var flooder = await chat.ConnectAsync("/websocket", ct);
        var bystander = await chat.ConnectAsync("/websocket", ct);
        await chat.WaitForMembersAsync(2, ct);

        for (var i = 0; i < 10 && flooder.State == System.Net.WebSockets.WebSocketState.Open; i++)
        {
            await flooder.SendTextAsync("spam", ct);
        }
        await flooder.Closed.Task.WaitAsync(ct);

        Assert.That((int?)flooder.CloseStatus, Is.EqualTo(1008));
        await bystander.SendTextAsync("calm", ct);
        var seen = new List<string>();
        while (seen.LastOrDefault() != "calm")
        {
            seen.Add(await bystander.ReceiveTextAsync(ct));
        }
        Assert.That(seen.Count(s => s == "spam"), Is.EqualTo(2), "only the burst got through");
    }

    private static string? Type(JsonElement e) => e.GetProperty("type").GetString();

    private static string? Text(JsonElement e) => e.GetProperty("msg").GetString();

    private static string Describe(JsonElement e) =>
        $"{Type(e)} {(Type(e) == "error" ? e.GetProperty("code").GetString() : Text(e))}";
}
