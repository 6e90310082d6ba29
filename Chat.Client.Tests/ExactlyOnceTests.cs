using Fleck.Chat.Client.Tests.Support;
using Fleck.Chat.Redis.Tests.Support;
using Fleck.Chat.Tests.Identity;

namespace Fleck.Chat.Client.Tests;

/// <summary>
/// The whole promise at once: through a network that drops every connection every 100–500 ms, two
/// clients exchange 1,000 messages each way, in a room or privately; every send completes once, and each
/// client reads every message exactly once, in order: through one host, across a restart of a host with
/// <c>--store</c>, and across two hosts on one redis-server with each reconnect sent to the other host.
/// </summary>
[CancelAfter(180_000)]
public sealed class ExactlyOnceTests
{
    private const int PerSender = 1000;

    private static readonly Func<ChatEvent, ChatMessage?> InLobby = e => e switch
    {
        MessageEvent { Room: "lobby" } m => m.Message,
        HistoryEvent { Room: "lobby" } h => h.Message,
        _ => null,
    };

    // An inbox holds both directions: a v=3 sender reads its own sends as echoes.
    private static readonly Func<ChatEvent, ChatMessage?> InInbox = e => e switch
    {
        PrivateEvent p => p.Message,
        HistoryEvent { Room: null, Message.To: not null } h => h.Message,
        _ => null,
    };

    private static CancellationToken Bound() => TestTimeouts.Token(TimeSpan.FromSeconds(150));

    [Test]
    public async Task Room_messages_through_a_flapping_network_arrive_once_each_in_order()
    {
        var ct = Bound();
        await using var host = await ClientHost.StartAsync("rooms", ct, "--retain", "5000");
        await using var proxy = CutProxy.Start(host.WebSocketPort);
        await RoomExchangeAsync(proxy, null, ct);
    }

    [Test]
    public async Task Private_messages_through_a_flapping_network_arrive_once_each_in_order()
    {
        var ct = Bound();
        await using var host = await ClientHost.StartAsync("private", ct, "--retain", "5000", "--jwt-secret", Tokens.Secret);
        await using var proxy = CutProxy.Start(host.WebSocketPort);
        await PrivateExchangeAsync(proxy, null, ct);
    }

    [Test]
    public Task Room_messages_through_a_flapping_network_and_a_host_restart_with_a_store_arrive_once_each_in_order() =>
        AcrossARestartAsync("rooms", [], RoomExchangeAsync);

    [Test]
    public Task Private_messages_through_a_flapping_network_and_a_host_restart_with_a_store_arrive_once_each_in_order() =>
        AcrossARestartAsync("private", ["--jwt-secret", Tokens.Secret], PrivateExchangeAsync);

    /// <summary>
    /// The exchange through a host with <c>--store</c> that is stopped cleanly midway, while sends are in flight, and
    /// started again on the same ports with the same file; the proxy stays, so the clients reconnect to the new process.
    /// </summary>
    private static async Task AcrossARestartAsync(string mode, string[] extra, Func<CutProxy, Func<int, Task>?, CancellationToken, Task> exchange)
    {
        var ct = Bound();
        var folder = Directory.CreateTempSubdirectory("fleck-chat-once-").FullName;
        try
        {
            var (port, httpPort) = (LoopbackPorts.Next(), LoopbackPorts.Next());
            string[] args = ["--retain", "5000", "--store", Path.Combine(folder, "chat.db"), .. extra];
            var host = await ClientHost.StartOnAsync(mode, port, httpPort, ct, args);
            try
            {
                await using var proxy = CutProxy.Start(port);
                var inFlight = -1;
                await exchange(proxy, async unsettled =>
                {
                    inFlight = unsettled;
                    host.Terminate();
                    Assert.That(await host.WaitForExitAsync(ct), Is.Zero, "the host stops cleanly");
                    await host.DisposeAsync();
                    host = await ClientHost.StartOnAsync(mode, port, httpPort, ct, args);
                }, ct);
                Assert.That(inFlight, Is.Positive, "sends were in flight when the host stopped");
            }
            finally
            {
                await host.DisposeAsync();
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public async Task Room_messages_through_a_flapping_network_with_each_reconnect_sent_to_the_other_host_arrive_once_each_in_order()
    {
        var ct = Bound();
        await using var redis = await RedisServer.StartAsync();
        await using var one = await ClientHost.StartAsync("rooms", ct, "--retain", "5000", "--redis", redis.Configuration);
        await using var two = await ClientHost.StartAsync("rooms", ct, "--retain", "5000", "--redis", redis.Configuration);
        await using var proxy = CutProxy.Start(one.WebSocketPort, two.WebSocketPort);
        await RoomExchangeAsync(proxy, null, ct);
        Assert.That(proxy.Connections, Is.GreaterThanOrEqualTo(6), "reconnects went to both hosts");
    }

    [Test]
    public async Task Private_messages_through_a_flapping_network_with_each_reconnect_sent_to_the_other_host_arrive_once_each_in_order()
    {
        var ct = Bound();
        await using var redis = await RedisServer.StartAsync();
        string[] args = ["--retain", "5000", "--jwt-secret", Tokens.Secret, "--redis", redis.Configuration];
        await using var one = await ClientHost.StartAsync("private", ct, args);
        await using var two = await ClientHost.StartAsync("private", ct, args);
        await using var proxy = CutProxy.Start(one.WebSocketPort, two.WebSocketPort);
        await PrivateExchangeAsync(proxy, null, ct);
        Assert.That(proxy.Connections, Is.GreaterThanOrEqualTo(6), "reconnects went to both hosts");
    }

    private static async Task RoomExchangeAsync(CutProxy proxy, Func<int, Task>? midway, CancellationToken ct)
    {
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", proxy.Port), ct);
        await using var ben = await EventLog.ConnectAsync(ClientHost.As("ben", proxy.Port), ct);
        await anna.Client.JoinAsync("lobby", ct);
        await ben.Client.JoinAsync("lobby", ct);
        await new FlappingExchange
        {
            A = anna,
            B = ben,
            Proxy = proxy,
            PerSender = PerSender,
            Send = (from, text, token) => from.Client.SendToRoomAsync("lobby", text, token),
            Pick = InLobby,
            Midway = midway,
        }.RunAsync(ct);
    }

    private static async Task PrivateExchangeAsync(CutProxy proxy, Func<int, Task>? midway, CancellationToken ct)
    {
        await using var anna = await EventLog.ConnectAsync(ClientHost.WithToken(Tokens.For("anna"), proxy.Port), ct);
        await using var ben = await EventLog.ConnectAsync(ClientHost.WithToken(Tokens.For("ben"), proxy.Port), ct);
        await new FlappingExchange
        {
            A = anna,
            B = ben,
            Proxy = proxy,
            PerSender = PerSender,
            Send = (from, text, token) => from.Client.SendPrivateAsync(from == anna ? "ben" : "anna", text, token),
            Pick = InInbox,
            Midway = midway,
        }.RunAsync(ct);
    }
}
