using System.Net.WebSockets;
using System.Text.Json;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Identity;

/// <summary><c>{"type":"refresh","token":…}</c> on a live connection of the real host, in every nickname mode.</summary>
[CancelAfter(60_000)]
[Parallelizable(ParallelScope.All)]
public sealed class TokenRefreshHostTests
{
    private static Task<HostProcess> StartAsync(string mode, CancellationToken ct, params string[] extra) =>
        HostProcess.StartReadyAsync(ct, [.. HostProcess.OnLoopback(mode), .. extra]);

    private static Task<HostProcess> StartSignedAsync(string mode, CancellationToken ct) =>
        StartAsync(mode, ct, "--jwt-secret", Tokens.Secret);

    private static string TokenUntil(string name, long exp, string secret = Tokens.Secret) => Tokens.Hs256(Tokens.Claims(name, exp), secret);

    private static Task RefreshAsync(TypedClient client, string? token, CancellationToken ct) =>
        token is null ? client.SendJsonAsync(new { type = "refresh" }, ct) : client.SendJsonAsync(new { type = "refresh", token }, ct);

    /// <summary>Waits on the clock until <paramref name="moment"/> has passed.</summary>
    private static async Task PassAsync(DateTimeOffset moment, CancellationToken ct)
    {
        while (DateTimeOffset.UtcNow <= moment)
        {
            await Task.Delay(moment - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(50), ct);
        }
    }

    [Test]
    public async Task An_accepted_refresh_keeps_the_connection_past_its_first_tokens_expiry()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await StartSignedAsync("nick-broadcast", ct);
        var firstExp = Tokens.UnixNow + 4;
        var laterExp = Tokens.UnixNow + 600;
        await using var alice = await TypedClient.ConnectSignedInAsync(host.WebSocketPort, TokenUntil("alice", firstExp), ct);

        await RefreshAsync(alice, TokenUntil("Alice", laterExp), ct);
        var refreshed = await alice.ReceiveEventAsync("refreshed", ct);
        // The sweep closes an expired session within 5 s of its exp: past that, the old deadline is gone.
        await PassAsync(DateTimeOffset.FromUnixTimeSeconds(firstExp) + TimeSpan.FromSeconds(6), ct);
        await alice.SendJsonAsync(new { msg = "still here" }, ct);
        var echo = await alice.ReceiveEventAsync("message", ct);

        Assert.That(refreshed.GetProperty("exp").GetInt64(), Is.EqualTo(laterExp));
        Assert.That(refreshed.GetProperty("name").GetString(), Is.EqualTo("server"));
        Assert.That(refreshed.GetProperty("msg").GetString(), Is.Not.Empty);
        Assert.That(refreshed.GetProperty("ts").GetInt64(), Is.Positive);
        Assert.That(echo.GetProperty("msg").GetString(), Is.EqualTo("still here"));
        Assert.That(alice.State, Is.EqualTo(WebSocketState.Open));
    }

    [TestCase("private")]
    [TestCase("rooms")]
    public async Task Every_nickname_mode_takes_a_refresh(string mode)
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await StartSignedAsync(mode, ct);
        var exp = Tokens.UnixNow + 900;
        await using var alice = await TypedClient.ConnectSignedInAsync(host.WebSocketPort, Tokens.For("alice"), ct);

        await RefreshAsync(alice, TokenUntil("alice", exp), ct);
        var refreshed = await alice.ReceiveEventAsync("refreshed", ct);
        await RefreshAsync(alice, TokenUntil("bob", exp), ct);
        var refused = await alice.ReceiveEventAsync("error", ct);

        Assert.That(refreshed.GetProperty("exp").GetInt64(), Is.EqualTo(exp));
        Assert.That(refused.GetProperty("code").GetString(), Is.EqualTo("invalid_token"));
    }

    [Test]
    public async Task A_refused_refresh_leaves_the_connection_open_until_its_old_expiry()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await StartSignedAsync("nick-broadcast", ct);
        var exp = DateTimeOffset.FromUnixTimeSeconds(Tokens.UnixNow + 8);
        await using var alice = await TypedClient.ConnectSignedInAsync(host.WebSocketPort, TokenUntil("alice", exp.ToUnixTimeSeconds()), ct);
        var later = Tokens.UnixNow + 600;

        await RefreshAsync(alice, TokenUntil("bob", later), ct);
        await RefreshAsync(alice, TokenUntil("alice", later, secret: "another-secret-that-is-long-enough-too!!"), ct);
        await RefreshAsync(alice, TokenUntil("alice", Tokens.UnixNow - 300), ct);
        await RefreshAsync(alice, "not a token\r\nX-Injected: 1", ct);
        await RefreshAsync(alice, null, ct);
        await alice.SendJsonAsync(new { msg = "marker" }, ct);
        var events = await alice.ReceiveUntilMessageAsync("marker", ct);
        await alice.Closed.Task.WaitAsync(ct);
        var closedAt = DateTimeOffset.UtcNow;
        using var http = new HttpClient();
        var metrics = await PrometheusScrape.GetAsync(http, $"http://127.0.0.1:{host.HttpPort}/metrics", ct);

        var codes = events.Where(e => e.Type() == "error").Select(e => e.GetProperty("code").GetString()).ToList();
        Assert.That(codes, Is.EqualTo(new[] { "invalid_token", "invalid_token", "invalid_token", "invalid_token", "missing_field" }));
        Assert.That(events.Any(e => e.Type() == "refreshed"), Is.False);
        Assert.That((int?)alice.CloseStatus, Is.EqualTo(4401));
        Assert.That(closedAt, Is.GreaterThanOrEqualTo(exp), "the old deadline still holds, and no earlier one");
        Assert.That(closedAt, Is.LessThanOrEqualTo(exp + TimeSpan.FromSeconds(5)));
        Assert.That(metrics.Value("fleck_chat_refreshes_total", "result=\"refused\""), Is.EqualTo(4));
        Assert.That(metrics.Value("fleck_chat_refreshes_total", "result=\"accepted\""), Is.Zero);
    }

    [Test]
    public async Task Without_identity_a_refresh_is_an_invalid_request_and_the_connection_stays()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await StartAsync("nick-broadcast", ct);
        await using var alice = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/alice", ct);
        await alice.ReceiveEventAsync("users", ct);

        await RefreshAsync(alice, Tokens.For("alice"), ct);
        var error = await alice.ReceiveEventAsync("error", ct);
        await alice.SendJsonAsync(new { msg = "after" }, ct);
        var echo = await alice.ReceiveEventAsync("message", ct);

        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo("invalid_request"));
        Assert.That(echo.GetProperty("msg").GetString(), Is.EqualTo("after"));
    }

    [Test]
    public async Task A_chat_message_that_mentions_refresh_is_still_a_chat_message()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await StartSignedAsync("nick-broadcast", ct);
        await using var alice = await TypedClient.ConnectSignedInAsync(host.WebSocketPort, Tokens.For("alice"), ct);

        await alice.SendTextAsync(JsonSerializer.Serialize(new { msg = "press \"refresh\" please" }), ct);
        var echo = await alice.ReceiveEventAsync("message", ct);

        Assert.That(echo.GetProperty("msg").GetString(), Is.EqualTo("press \"refresh\" please"));
    }
}
