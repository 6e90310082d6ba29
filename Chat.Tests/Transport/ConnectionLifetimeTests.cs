using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Transport;

/// <summary>Keepalive, dead and abrupt peers, slow readers, many connections and graceful stop.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class ConnectionLifetimeTests
{
    private static readonly WebSocketServerOptions FastKeepAlive = new()
    {
        KeepAliveInterval = TimeSpan.FromMilliseconds(200),
        KeepAliveTimeout = TimeSpan.FromMilliseconds(400),
    };

    [Test]
    public async Task An_idle_peer_is_pinged()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync(FastKeepAlive);
        await using var client = await server.ConnectRawAsync(ct);

        var frame = await client.ReadFrameAsync(ct);

        Assert.That(frame!.Opcode, Is.EqualTo(0x9));
    }

    [Test]
    public async Task A_peer_that_never_answers_pings_is_dropped_and_its_close_handler_runs()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync(FastKeepAlive);
        await using var silent = await server.ConnectRawAsync(ct);

        // The raw client reads the ping but never answers it: the server must give up on it by itself.
        Assert.That((await silent.ReadFrameAsync(ct))?.Opcode, Is.EqualTo(0x9), "pinged");
        Assert.That(await silent.WaitForTcpCloseAsync(ct), Is.True, "then dropped");

        var closed = await server.Handler.FirstClosed.Task.WaitAsync(ct);
        Assert.That(closed.PeerCloseCode, Is.Null, "dropped without a closing handshake");
        Assert.That(server.Server.ConnectionCount, Is.Zero);
    }

    [Test]
    public async Task A_peer_that_answers_pings_stays_connected()
    {
        var ct = TestTimeouts.Token();
        // Pings every 200 ms, but a loaded machine may take its time answering: the peer answers, so it must stay.
        await using var server = await EchoServer.StartAsync(FastKeepAlive with { KeepAliveTimeout = TimeSpan.FromSeconds(10) });
        await using var client = await server.ConnectRawAsync(ct);

        // A new ping comes only once the last one was answered; an unanswered one gets the peer dropped instead.
        var pings = 0;
        while (pings < 4)
        {
            var ping = await client.ReadFrameAsync(ct);
            Assert.That(ping?.Opcode, Is.EqualTo(0x9), $"ping {pings + 1}, not the end of the connection");
            await client.SendAsync(0xA, ping!.Payload, ct);
            pings++;
        }
        await client.SendTextAsync("still here", ct);

        ReceivedFrame? frame;
        while ((frame = await client.ReadFrameAsync(ct)) is { Opcode: 0x9 })
        {
            await client.SendAsync(0xA, frame.Payload, ct);
        }
        Assert.That(frame?.Text, Is.EqualTo("still here"));
    }

    [Test]
    public async Task A_reset_connection_is_removed_and_its_close_handler_runs()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        var client = await server.ConnectRawAsync(ct);

        client.Socket.LingerState = new LingerOption(true, 0);
        client.Socket.Close();

        await server.Handler.FirstClosed.Task.WaitAsync(ct);
        Assert.That(server.Server.ConnectionCount, Is.Zero);
    }

    [Test]
    public async Task A_tcp_close_without_a_close_frame_is_removed()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        var client = await server.ConnectRawAsync(ct);

        await client.DisposeAsync();

        await server.Handler.FirstClosed.Task.WaitAsync(ct);
        Assert.That(server.Server.ConnectionCount, Is.Zero);
    }

    [Test]
    public async Task A_peer_behind_a_link_that_went_silent_is_dropped_by_keepalive()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync(FastKeepAlive);
        await using var relay = BlackHoleRelay.Start(server.Port);
        await using var client = await TypedClient.ConnectAsync(relay.Port, "/echo", ct);
        await client.SendTextAsync("through the relay", ct);
        Assert.That(await client.ReceiveTextAsync(ct), Is.EqualTo("through the relay"));

        // The client would answer pings, but none reach it any more, and nothing it sends arrives: half-open.
        relay.BlackHole();

        await server.Handler.FirstClosed.Task.WaitAsync(ct);
        Assert.That(server.Server.ConnectionCount, Is.Zero, "gone from the count before its close handler ran");
        Assert.That(client.State, Is.EqualTo(WebSocketState.Open), "the client was never told: only keepalive could find out");
    }

    [Test]
    public async Task A_stalled_reader_is_cut_off_at_its_queue_bound_and_fast_readers_get_everything()
    {
        var ct = new CancellationTokenSource(TimeSpan.FromSeconds(50)).Token;
        var options = new WebSocketServerOptions { MaxQueuedMessages = 64, MaxQueuedBytes = 64 * 1024, CloseTimeout = TimeSpan.FromMilliseconds(500) };
        await using var server = await EchoServer.StartAsync(options);
        var stalled = await server.ConnectRawAsync(ct);
        // An echo shows the handler has opened the connection (messages are handled only after that).
        await stalled.SendTextAsync("open", ct);
        Assert.That((await stalled.ReadFrameAsync(ct))?.Text, Is.EqualTo("open"));
        stalled.Socket.ReceiveBufferSize = 4096;
        var fast = new List<TypedClient>();
        for (var i = 0; i < 5; i++)
        {
            var client = await TypedClient.ConnectAsync(server.Port, "/echo", ct);
            await client.SendTextAsync("open", ct);
            Assert.That(await client.ReceiveTextAsync(ct), Is.EqualTo("open"));
            fast.Add(client);
        }
        var connections = server.Handler.Opened.ToArray();
        Assert.That(connections, Has.Length.EqualTo(6));
        const int Rounds = 400, PerRound = 8;
        var payload = OutgoingMessage.Text(new string('x', 4000));

        // Paced rounds: the fast readers keep up, while the stalled one's buffers and queue fill.
        for (var round = 0; round < Rounds && !server.Handler.FirstClosed.Task.IsCompleted; round++)
        {
            for (var i = 0; i < PerRound; i++)
            {
                foreach (var connection in connections)
                {
                    connection.Send(payload);
                }
            }
            foreach (var client in fast)
            {
                for (var i = 0; i < PerRound; i++)
                {
                    await client.ReceiveTextAsync(ct);
                }
            }
        }

        var dropped = await server.Handler.FirstClosed.Task.WaitAsync(ct);
        foreach (var client in fast)
        {
            Assert.That(client.State, Is.EqualTo(WebSocketState.Open));
            Assert.That(client.Drain(), Is.Empty, "fast readers got exactly what was sent, nothing lost");
        }
        Assert.That(dropped.RemoteEndPoint!.Port, Is.EqualTo(((IPEndPoint)stalled.Socket.LocalEndPoint!).Port));
        await stalled.DisposeAsync();
        foreach (var client in fast)
        {
            await client.DisposeAsync();
        }
    }

    [Test]
    public async Task A_thousand_concurrent_connections_all_echo()
    {
        var ct = new CancellationTokenSource(TimeSpan.FromSeconds(55)).Token;
        // Every client comes from 127.0.0.1: the per-address limits are for the internet, not this test.
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions
        {
            MaxConnectionsPerAddress = 0,
            MaxPendingHandshakesPerAddress = 0,
            HandshakesPerSecondPerAddress = 0,
        });
        var clients = new RawWebSocketClient[1000];

        await Parallel.ForAsync(0, clients.Length, new ParallelOptions { MaxDegreeOfParallelism = 50, CancellationToken = ct }, async (i, c) =>
            clients[i] = await server.ConnectRawAsync(c));
        await Parallel.ForAsync(0, clients.Length, new ParallelOptions { MaxDegreeOfParallelism = 50, CancellationToken = ct }, async (i, c) =>
        {
            await clients[i].SendTextAsync($"client {i}", c);
            var frame = await clients[i].ReadFrameAsync(c);
            Assert.That(frame!.Text, Is.EqualTo($"client {i}"));
        });

        Assert.That(server.Server.ConnectionCount, Is.EqualTo(1000));
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    [Test]
    public async Task Stopping_the_server_closes_every_connection_with_1001_in_bounded_time()
    {
        var ct = TestTimeouts.Token();
        var server = await EchoServer.StartAsync(new WebSocketServerOptions { CloseTimeout = TimeSpan.FromSeconds(2) });
        var polite = await TypedClient.ConnectAsync(server.Port, "/echo", ct);
        var raw = await server.ConnectRawAsync(ct);

        var stopping = server.Server.StopAsync(ct);
        var rawClose = await raw.ReadCloseAsync(ct);
        await polite.Closed.Task.WaitAsync(ct);
        await stopping.WaitAsync(TimeSpan.FromSeconds(10), ct);

        Assert.That(rawClose, Is.EqualTo(1001));
        Assert.That(polite.CloseStatus, Is.EqualTo(WebSocketCloseStatus.EndpointUnavailable));
        Assert.That(server.Server.ConnectionCount, Is.Zero);
        await polite.DisposeAsync();
        await raw.DisposeAsync();
        await server.DisposeAsync();
    }

    [Test]
    public async Task Writes_are_coalesced_each_message_still_its_own_frame()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);
        var connection = await server.Handler.FirstOpened.Task.WaitAsync(ct);

        // Queuing a 10 KB frame is quicker than writing one, so the writer finds several frames waiting per drain.
        var padding = new string('.', 10_000);
        for (var i = 0; i < 200; i++)
        {
            connection.Send(OutgoingMessage.Text($"n{i}{padding}"));
        }

        for (var i = 0; i < 200; i++)
        {
            var frame = await client.ReadFrameAsync(ct);
            Assert.That(frame!.Text, Is.EqualTo($"n{i}{padding}"));
            Assert.That(frame.Fin, Is.True);
        }
        var (frames, writes) = connection.WriteCounts;
        Assert.That(frames, Is.EqualTo(200));
        Assert.That(writes, Is.LessThan(frames), "queued frames share socket writes");
    }
}
