using System.Net;
using System.Net.Sockets;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Transport;

/// <summary>The send queue on a real plain socket, where it sends directly and waits only for what the socket cannot take at once.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class OutboxSocketTests
{
    /// <summary>A connected loopback pair.</summary>
    private static async Task<(Socket Server, Socket Client)> ConnectedPairAsync(CancellationToken ct)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = listener.AcceptAsync(ct).AsTask();
        await client.ConnectAsync(listener.LocalEndPoint!, ct);
        return (await accept, client);
    }

    private static async Task<byte[]> ReadExactlyAsync(Socket socket, int count, CancellationToken ct)
    {
        var bytes = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await socket.ReceiveAsync(bytes.AsMemory(read), SocketFlags.None, ct);
            Assert.That(n, Is.GreaterThan(0), "the connection ended early");
            read += n;
        }
        return bytes;
    }

    [Test]
    public async Task Frames_the_socket_cannot_take_at_once_still_arrive_whole_and_in_order()
    {
        var ct = TestTimeouts.Token();
        var (server, client) = await ConnectedPairAsync(ct);
        using var _ = server;
        using var __ = client;
        server.SendBufferSize = 4096;
        using var stream = new NetworkStream(server, ownsSocket: false);
        Exception? failure = null;
        var outbox = new Outbox(stream, maxMessages: 10_000, maxBytes: 64L << 20, new WriteFailures(e => failure = e), server);
        outbox.Start();
        var messages = Enumerable.Range(0, 2000).Select(i => OutgoingMessage.Text($"{i}:" + new string('x', 500))).ToArray();

        foreach (var message in messages)
        {
            Assert.That(outbox.TryEnqueue(message), Is.EqualTo(EnqueueResult.Queued));
        }
        // Nobody reads yet: the socket fills, and the rest waits in an asynchronous write.
        while (outbox.WriteStartedTicks == 0)
        {
            await Task.Delay(5, ct);
        }
        var expected = messages.SelectMany(m => m.Frame.ToArray()).ToArray();
        var received = await ReadExactlyAsync(client, expected.Length, ct);

        Assert.That(received, Is.EqualTo(expected));
        Assert.That(failure, Is.Null);
    }

    [Test]
    public async Task A_write_to_a_peer_that_reset_the_connection_is_reported_as_its_socket_error()
    {
        var ct = TestTimeouts.Token();
        var (server, client) = await ConnectedPairAsync(ct);
        using var _ = server;
        using var stream = new NetworkStream(server, ownsSocket: false);
        var failed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var outbox = new Outbox(stream, maxMessages: 100, maxBytes: 1 << 20, new WriteFailures(e => failed.TrySetResult(e)), server);
        outbox.Start();
        client.LingerState = new LingerOption(enable: true, seconds: 0);
        client.Close();

        // The first send may still be taken before the reset is seen; keep queueing until the failure arrives.
        while (!failed.Task.IsCompleted)
        {
            outbox.TryEnqueue(OutgoingMessage.Text("to nobody"));
            await Task.WhenAny(failed.Task, Task.Delay(10, ct));
            ct.ThrowIfCancellationRequested();
        }
        var error = await failed.Task;

        Assert.That(error, Is.InstanceOf<SocketException>());
        Assert.That(((SocketException)error!).SocketErrorCode, Is.AnyOf(SocketError.ConnectionReset, SocketError.Shutdown, SocketError.ConnectionAborted));
        Assert.That(outbox.TryEnqueue(OutgoingMessage.Text("after")), Is.EqualTo(EnqueueResult.Closed), "a failed outbox takes nothing more");
    }
}
