using System.Text.Json;
using Fleck.Chat.Identity;
using Fleck.Chat.Modes;
using Fleck.Chat.Scaling;
using Fleck.Chat.Tests.Identity;
using Fleck.Chat.Tests.Modes.Support;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Modes;

/// <summary>
/// A page reloaded, or a tab that reconnects after a network hiccup, closes its connection and
/// opens a new one under the same nickname at once, while the old one's departure may still be
/// under way on the server. Whenever the new connection gets in, its welcome comes first.
/// </summary>
[CancelAfter(120_000)]
[Parallelizable(ParallelScope.Self)]
public sealed class ReconnectWelcomeTests
{
    private const int Nicknames = 20;
    private const int Rounds = 25;

    private static IEnumerable<TestCaseData> Chats()
    {
        yield return new TestCaseData(new NickBroadcastMode(), false).SetArgDisplayNames("nick-broadcast");
        yield return new TestCaseData(new NickBroadcastMode(), true).SetArgDisplayNames("nick-broadcast, signed in");
        yield return new TestCaseData(new PrivateMode(), false).SetArgDisplayNames("private");
        yield return new TestCaseData(new PrivateMode(), true).SetArgDisplayNames("private, signed in");
    }

    // Neither the chatter's messages nor the reconnects' handshakes are held to a rate: they come as fast as the server takes them.
    private static readonly ChatServerOptions Unthrottled = new() { MessagesPerSecond = 0, Transport = new() { HandshakesPerSecondPerAddress = 0 } };

    [TestCaseSource(nameof(Chats))]
    public async Task A_nickname_reconnecting_right_after_closing_always_gets_its_welcome_first(IChatMode mode, bool signedIn)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        var options = Unthrottled;
        if (signedIn)
        {
            options = options with { Transport = options.Transport with { Authenticator = JwtAuthenticator.WithSecret(Tokens.Secret) } };
        }
        await using var chat = await ChatFixture.StartAsync(mode, options);
        Func<string, string> pathFor = signedIn
            ? nickname => $"/websocket?access_token={Tokens.For(nickname)}"
            : nickname => "/websocket/" + nickname;

        await ReconnectEveryoneAsync((nickname, token) => chat.ConnectAsync(pathFor(nickname), token), ct);
    }

    [Test]
    public async Task A_nickname_reconnecting_to_another_node_right_after_closing_always_gets_its_welcome_first()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        var first = new InMemoryBackplane();
        await using var a = await ChatFixture.StartAsync(new NickBroadcastMode(), Unthrottled with { Backplane = first });
        await using var b = await ChatFixture.StartAsync(new NickBroadcastMode(), Unthrottled with { Backplane = first.CreateNode() });
        var attempts = 0;

        await ReconnectEveryoneAsync((nickname, token) => (Interlocked.Increment(ref attempts) % 2 == 0 ? a : b).ConnectAsync("/websocket/" + nickname, token), ct);
    }

    [Test]
    public async Task A_nickname_alone_in_the_chat_reconnecting_right_after_closing_always_gets_its_welcome_first()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode(), Unthrottled);
        var reconnector = new Reconnector((nickname, token) => chat.ConnectAsync("/websocket/" + nickname, token), "alice");

        await reconnector.RunAsync(500, ct);

        var unwelcomed = reconnector.Logins.Where(l => !IsWelcome(l.Events[0], "alice")).Select(l => $"round {l.Round}: {string.Join(" | ", l.Events.Select(e => e.GetRawText()))}").ToList();
        TestContext.Out.WriteLine($"{reconnector.Logins.Count} logins, {reconnector.Refusals} refusals, {unwelcomed.Count} without a welcome first");
        Assert.That(unwelcomed, Is.Empty);
    }

    [Test]
    public async Task A_nickname_reconnecting_right_after_closing_always_gets_its_welcome_first_from_the_host_process()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        await using var host = HostProcess.Start([.. HostProcess.OnLoopback("nick-broadcast"), "--rate", "0", "--handshake-rate-per-address", "0"]);
        await host.WaitForBannerAsync(ct);
        var clients = new List<TypedClient>();
        try
        {
            await ReconnectEveryoneAsync(async (nickname, token) =>
            {
                var client = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/" + nickname, token);
                lock (clients)
                {
                    clients.Add(client);
                }
                return client;
            }, ct);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Reconnects every nickname round after round, all at once, while someone else keeps talking
    /// to everyone and to each of them in turn, so that deliveries race every welcome.
    /// </summary>
    private static async Task ReconnectEveryoneAsync(Func<string, CancellationToken, Task<TypedClient>> connect, CancellationToken ct)
    {
        var reconnectors = Enumerable.Range(0, Nicknames).Select(i => new Reconnector(connect, $"user{i}")).ToArray();
        using var stopChatter = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var chatter = await connect("chatter", ct);
        await chatter.ReceiveEventAsync("users", ct);
        var chatting = Task.Run(() => ChatAsync(chatter, stopChatter.Token), ct);

        await Task.WhenAll(reconnectors.Select(r => Task.Run(() => r.RunAsync(Rounds, ct), ct)));
        await stopChatter.CancelAsync();
        await chatting;

        var logins = reconnectors.SelectMany((r, i) => r.Logins.Select(login => (Nickname: $"user{i}", login))).ToList();
        var unwelcomed = logins
            .Where(l => !IsWelcome(l.login.Events[0], l.Nickname))
            .Select(l => $"{l.Nickname} round {l.login.Round} ({(l.login.Aborted ? "after an abort" : "after a close")}): {string.Join(" | ", l.login.Events.Select(e => e.GetRawText()))}")
            .ToList();
        TestContext.Out.WriteLine($"{logins.Count} logins, {reconnectors.Sum(r => r.Refusals)} refusals while the old connection still held the name, {unwelcomed.Count} without a welcome first");
        Assert.That(unwelcomed, Is.Empty, "every new connection's first event is its users event, listing it");
    }

    private static async Task ChatAsync(TypedClient chatter, CancellationToken stop)
    {
        try
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await chatter.SendJsonAsync(new { msg = $"chatter {i}", to_client = $"user{i % Nicknames}" }, stop);
                if (i % Nicknames == Nicknames - 1)
                {
                    // Paced by the server: each round of messages is through before the next.
                    var marker = $"chatter marker {i}";
                    await chatter.SendJsonAsync(new { msg = marker, to_client = "chatter" }, stop);
                    await chatter.ReceiveEventsUntilAsync(e => e.TryGetProperty("msg", out var msg) && msg.GetString() == marker, stop);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static bool IsWelcome(JsonElement e, string nickname) =>
        e.GetProperty("type").GetString() == "users"
        && e.GetProperty("users").EnumerateArray().Any(u => u.GetString() == nickname);
}
