using System.Diagnostics;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Transport;

/// <summary>
/// Which clock bounds what: a close the BCL starts on a protocol error is bounded by the close
/// timeout like ours, and keepalive counts from the peer's last bytes.
/// </summary>
[Parallelizable(ParallelScope.All)]
public sealed class CloseAndKeepAliveBoundsTests
{
    [Test]
    public async Task A_protocol_error_close_to_a_peer_that_stopped_reading_ends_within_the_close_timeout()
    {
        var ct = TestTimeouts.Token();
        // A write timeout far past the test's own: only the close timeout can end the connection in time.
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions
        {
            CloseTimeout = TimeSpan.FromMilliseconds(300),
            WriteTimeout = TimeSpan.FromMinutes(10),
            KeepAliveInterval = TimeSpan.Zero,
            MaxQueuedBytes = 256L * 1024 * 1024,
        });
        await using var client = await server.ConnectRawAsync(ct);
        client.Socket.ReceiveBufferSize = 4096;
        var connection = await server.Handler.FirstOpened.Task.WaitAsync(ct);

        // 64 MB for a client that reads nothing: far more than the socket buffers hold, so the write stalls.
        var chunk = OutgoingMessage.Binary(new byte[64 * 1024]);
        for (var i = 0; i < 1024; i++)
        {
            Assert.That(connection.Send(chunk), Is.True);
        }
        // A reserved bit with no extension: the BCL fails the connection and queues its own close frame behind the stalled data.
        await client.SendAsync(0x1, "x"u8, ct, rsv: 2);

        await server.Handler.FirstClosed.Task.WaitAsync(ct);
        Assert.That(server.Server.ConnectionCount, Is.Zero);
    }

    [Test]
    public async Task A_peer_is_pinged_a_keepalive_interval_after_its_last_bytes_even_while_its_message_is_handled()
    {
        var ct = TestTimeouts.Token();
        var interval = TimeSpan.FromSeconds(2);
        var handler = new HoldingHandler();
        // The timeout is shorter than the interval: a ping counted as unanswered drops the peer before the next ping is due.
        await using var server = new WebSocketServer(new WebSocketServerOptions { Port = 0, KeepAliveInterval = interval, KeepAliveTimeout = TimeSpan.FromMilliseconds(1200) }, handler);
        await server.StartAsync(ct);
        await using var client = await RawWebSocketClient.ConnectAsync(server.Port, "/", ct);
        try
        {
            // Half a message, then silence until the server pings.
            await client.SendAsync(0x1, "first half, "u8, ct, fin: false);
            Assert.That((await client.ReadFrameAsync(ct))?.Opcode, Is.EqualTo(0x9));

            // Instead of a pong, the rest of the message: bytes after the ping, so the peer is alive. Its
            // handler then keeps the receive loop busy, so the server asks for no more bytes meanwhile.
            var sinceLastBytes = Stopwatch.StartNew();
            await client.SendAsync(0x0, "second half"u8, ct);
            Assert.That(await handler.Received.Task.WaitAsync(ct), Is.EqualTo("first half, second half"));

            var next = await client.ReadFrameAsync(ct);
            Assert.That(next?.Opcode, Is.EqualTo(0x9), "pinged again, not dropped");
            // The server's clock ticks in milliseconds; allow for its rounding.
            Assert.That(sinceLastBytes.Elapsed, Is.GreaterThanOrEqualTo(interval - TimeSpan.FromMilliseconds(20)), "an interval after the last bytes");
        }
        finally
        {
            handler.Release.TrySetResult();
        }
    }

    private sealed class HoldingHandler : IWebSocketHandler
    {
        public TaskCompletionSource<string> Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask OnOpenAsync(WebSocketConnection connection, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public async ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message, CancellationToken cancellationToken)
        {
            Received.TrySetResult(message.GetText());
            await Release.Task;
        }

        public ValueTask OnCloseAsync(WebSocketConnection connection) => ValueTask.CompletedTask;
    }
}
