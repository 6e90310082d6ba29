using System.Text.Json;
using Fleck.Chat.Browser.Tests.Support;
using Fleck.Chat.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using static Fleck.Chat.Browser.Tests.Support.RoomsPage;

namespace Fleck.Chat.Browser.Tests;

/// <summary>
/// The pages when redis-server restarts empty while the host and the page's connection stay up:
/// the stream starts a new epoch and its live offsets start again at 1, below what the page has
/// shown. Those are new messages, not repeats, so the page shows them, once and in order.
/// </summary>
public sealed class RedisRestartPageTests : BrowserTest
{
    private const string Probe = "probe";

    [Test]
    public async Task After_redis_restarts_empty_the_nick_broadcast_page_shows_the_messages_numbered_from_one_again()
    {
        using var redis = await RedisProcess.StartAsync();
        await using var chat = await RunningChat.StartAsync("nick-broadcast", s => s with { Redis = redis.Configuration });
        var page = await Browser.NewPersonAsync();
        var sockets = new SocketLog(page);
        var anna = await JoinAsync(page, chat, "Anna");
        string[] before = ["one", "two", "three", "four", "five"];
        foreach (var text in before)
        {
            await SayAsync(anna, text);
            await Expect(Lines(anna, "own", text)).ToHaveCountAsync(1);
        }
        var ct = TestTimeouts.Token(TestTimeouts.Recovery);
        // The page shows "five" before Playwright reports its echo: the offset shown is that echo's.
        var shown = (await sockets.SessionThatReceivedAsync("message", ct, s => s.ReceivedEvents("message").Any(e => e.GetProperty("msg").GetString() == "five")))
            .ReceivedEvents("message")[^1].GetProperty("offset").GetInt64();
        await using var ben = await TypedClient.ConnectAsync(chat.WebSocketPort, "/websocket/Ben", ct);
        await ben.ReceiveEventAsync("users", ct);

        await redis.RestartEmptyAsync();
        var (probe, probeOffset) = await SayUntilNumberedAsync(ben, text => new { msg = text }, ct);
        var after = await SayThroughAsync(ben, ct, new { msg = "after one" }, new { msg = "after two" });
        await TestContext.Out.WriteLineAsync($"Page showed up to {shown}; back on Redis with '{probe}' at {probeOffset}, then {string.Join(", ", after)}");
        Assert.That(after.Prepend(probeOffset), Is.All.LessThanOrEqualTo(shown), "the new epoch's offsets must be ones the page has already shown");
        await SayThroughAsync(ben, ct, new { msg = "marker" });

        await Expect(anna.Locator("#messages li.message").Filter(new() { HasNotText = Probe }).Locator(".text"))
            .ToHaveTextAsync([.. before, "after one", "after two", "marker"]);
        await Expect(Lines(anna, "message", probe)).ToHaveCountAsync(1);
        Assert.That(sockets.Sessions, Has.Count.EqualTo(1), "the page's connection stayed up: these came live");
    }

    [Test]
    public async Task After_redis_restarts_empty_the_rooms_page_shows_the_messages_numbered_from_one_again()
    {
        using var redis = await RedisProcess.StartAsync();
        await using var chat = await RunningChat.StartAsync("rooms", s => s with { Redis = redis.Configuration });
        var page = await Browser.NewPersonAsync();
        var sockets = new SocketLog(page);
        var anna = await SignInAsync(page, chat, "Anna");
        await JoinRoomAsync(anna, "lobby");
        string[] before = ["one", "two", "three", "four", "five"];
        foreach (var text in before)
        {
            await SayAsync(anna, text);
            await Expect(Lines(anna, "own", text)).ToHaveCountAsync(1);
        }
        var ct = TestTimeouts.Token(TestTimeouts.Recovery);
        // The page shows "five" before Playwright reports its echo: the offset shown is that echo's.
        var shown = (await sockets.SessionThatReceivedAsync("message", ct, s => s.ReceivedEvents("message").Any(e => e.GetProperty("msg").GetString() == "five")))
            .ReceivedEvents("message")[^1].GetProperty("offset").GetInt64();
        await using var ben = await TypedClient.ConnectAsync(chat.WebSocketPort, "/websocket/Ben", ct);
        await ben.SendJsonAsync(new { type = "join", room = "lobby" }, ct);
        await ben.ReceiveEventAsync("joined", ct);

        await redis.RestartEmptyAsync();
        var (probe, probeOffset) = await SayUntilNumberedAsync(ben, text => InLobby(text), ct);
        var after = await SayThroughAsync(ben, ct, InLobby("after one"), InLobby("after two"));
        await TestContext.Out.WriteLineAsync($"Page showed up to {shown}; back on Redis with '{probe}' at {probeOffset}, then {string.Join(", ", after)}");
        Assert.That(after.Prepend(probeOffset), Is.All.LessThanOrEqualTo(shown), "the new epoch's offsets must be ones the page has already shown");
        await SayThroughAsync(ben, ct, InLobby("marker"));

        await Expect(anna.Locator("#messages li.message").Filter(new() { HasNotText = Probe }).Locator(".text"))
            .ToHaveTextAsync([.. before, "after one", "after two", "marker"]);
        await Expect(Lines(anna, "message", probe)).ToHaveCountAsync(1);
        Assert.That(sockets.Sessions, Has.Count.EqualTo(1), "the page's connection stayed up: these came live");
    }

    private static object InLobby(string text) => new { type = "message", room = "lobby", msg = text };

    /// <summary>
    /// Says a new probe until the host numbers one again, that is until it is back on Redis: while it
    /// is not, a probe is refused or goes out unnumbered. Returns the probe that got through and its offset.
    /// </summary>
    /// <remarks>
    /// A probe numbered just before the host's subscription is back never comes back to the sender;
    /// each attempt is bounded so such a probe is followed by another instead of waited on forever.
    /// </remarks>
    private static async Task<(string Text, long Offset)> SayUntilNumberedAsync(TypedClient client, Func<string, object> command, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var text = $"{Probe} {attempt}";
            await client.SendJsonAsync(command(text), ct);
            using var attemptBound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            attemptBound.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                var answer = (await client.ReceiveEventsUntilAsync(e => IsMessage(e, text) || IsError(e), attemptBound.Token))[^1];
                if (IsMessage(answer, text) && answer.TryGetProperty("offset", out var offset) && offset.ValueKind == JsonValueKind.Number)
                {
                    return (text, offset.GetInt64());
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // No answer to this one: try the next.
                continue;
            }
            // Refused or sent unnumbered: the host is still reconnecting. A short pause keeps the
            // probes from flooding the page and the machine meanwhile (and under the message rate).
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
    }

    /// <summary>Sends each command and waits until the server has echoed them all; returns their offsets in order.</summary>
    private static async Task<List<long>> SayThroughAsync(TypedClient client, CancellationToken ct, params object[] commands)
    {
        foreach (var command in commands)
        {
            await client.SendJsonAsync(command, ct);
        }
        var offsets = new List<long>();
        while (offsets.Count < commands.Length)
        {
            var e = await client.ReceiveEventAsync(ct);
            Assert.That(e.GetProperty("type").GetString(), Is.Not.EqualTo("error"), e.ToString());
            // A late answer to a probe is not one of these.
            if (e.GetProperty("type").GetString() == "message" && e.GetProperty("name").GetString() == "Ben"
                && !e.GetProperty("msg").GetString()!.StartsWith(Probe, StringComparison.Ordinal))
            {
                offsets.Add(e.GetProperty("offset").GetInt64());
            }
        }
        return offsets;
    }

    private static bool IsMessage(JsonElement e, string text) =>
        e.GetProperty("type").GetString() == "message" && e.GetProperty("msg").GetString() == text;

    private static bool IsError(JsonElement e) => e.GetProperty("type").GetString() == "error";
}
