using System.Net;
using System.Net.Sockets;
using System.Text;
using Fleck.Chat.Modes;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Transport;

/// <summary>A client that sends pings as fast as it can costs the server bounded memory and is cut off; others keep chatting.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class PingFloodTests
{
    /// <summary>Pings with the largest payload a control frame may carry, many to a socket write.</summary>
    private static readonly byte[] PingBlock = [.. Enumerable.Repeat(RawWebSocketClient.Frame(0x9, new byte[125]), 500).SelectMany(f => f)];

    [Test]
    public async Task A_client_that_floods_pings_is_closed_with_1008_and_the_others_keep_chatting()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new BroadcastMode());
        var other = await chat.ConnectAsync("/websocket", ct);
        await using var flooder = await RawWebSocketClient.ConnectAsync(chat.Server.Port, "/websocket", ct);
        var closeCode = flooder.ReadCloseAsync(ct);

        // Bounded: 50,000 pings, far past the default budget of 50 a second, unless the server cuts in first.
        for (var i = 0; i < 100 && !closeCode.IsCompleted; i++)
        {
            try
            {
                await flooder.WriteAsync(PingBlock, ct);
            }
            catch (IOException)
            {
                break;
            }
        }

        Assert.That(await closeCode, Is.EqualTo(WebSocketCloseCode.PolicyViolation));
        await other.SendTextAsync("marker", ct);
        Assert.That(await other.ReceiveTextAsync(ct), Is.EqualTo("marker"));
    }

    [Test]
    public async Task Pongs_for_a_client_that_never_reads_take_one_place_in_its_queue()
    {
        // Sixty thousand pings take a second on a quiet machine and have taken over 30 s on one running
        // several suites at once; the bound only stops a hang, the marker ends the wait.
        var ct = TestTimeouts.Token(TimeSpan.FromMinutes(3));
        var handler = new QueueAtMarkerHandler();
        // No ping budget, so only the queue's own bounds hold the pongs back.
        await using var server = new WebSocketServer(new WebSocketServerOptions { Port = 0, MaxControlFramesPerSecond = 0, WriteTimeout = TimeSpan.FromMinutes(10) }, handler);
        await server.StartAsync(ct);
        using var flooder = await ConnectWithSmallReceiveBufferAsync(server.Port, ct);

        // About 7.5 MB of pongs: more than the socket buffers on both ends hold (the server's send buffer
        // grows to 4 MB at most by default on Linux; the client's is a few KB), so the server's writes stall.
        for (var i = 0; i < 120; i++)
        {
            await flooder.SendAsync(PingBlock, ct);
        }
        await flooder.SendAsync(RawWebSocketClient.Frame(0x1, "marker"u8), ct);

        // Messages are handled in order, so by the marker every ping before it has been answered.
        var (messages, bytes) = await handler.QueuedAtMarker.Task.WaitAsync(ct);
        Assert.That(messages, Is.LessThanOrEqualTo(1), "at most the latest pong waits");
        Assert.That(bytes, Is.LessThanOrEqualTo(127));
    }

    /// <summary>A socket whose receive buffer is set before it connects (later, TCP has already offered a larger window), upgraded to WebSocket.</summary>
    private static async Task<Socket> ConnectWithSmallReceiveBufferAsync(int port, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096, NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port, ct);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"), ct);
        var head = new List<byte>();
        var one = new byte[1];
        while (!head.TakeLast(4).SequenceEqual("\r\n\r\n"u8.ToArray()) && await socket.ReceiveAsync(one, ct) == 1)
        {
            head.Add(one[0]);
        }
        Assert.That(Encoding.ASCII.GetString([.. head]), Does.StartWith("HTTP/1.1 101 "));
        return socket;
    }

    private sealed class QueueAtMarkerHandler : IWebSocketHandler
    {
        public TaskCompletionSource<(int Messages, long Bytes)> QueuedAtMarker { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask OnOpenAsync(WebSocketConnection connection, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message, CancellationToken cancellationToken)
        {
            QueuedAtMarker.TrySetResult(connection.Queued);
            return ValueTask.CompletedTask;
        }

        public ValueTask OnCloseAsync(WebSocketConnection connection) => ValueTask.CompletedTask;
    }
}
