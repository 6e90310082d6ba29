using System.Net;
using System.Net.Sockets;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Transport;

/// <summary>
/// Outboxes drained in shared turns: a broadcast to many more connections than one turn drains,
/// from several threads at once, over real loopback sockets.
/// </summary>
[Parallelizable(ParallelScope.All)]
public sealed class WriteSchedulerTests
{
    private const int Connections = 120;
    private const int Senders = 4;
    private const int MessagesPerSender = 150;

    [Test]
    public async Task Every_connection_of_a_broadcast_wider_than_a_turn_gets_every_frame_in_each_senders_order()
    {
        var ct = TestTimeouts.Token();
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(Connections);
        var scheduler = new WriteScheduler();
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var pairs = new List<(Socket Server, RawWebSocketClient Client, NetworkStream Stream, Outbox Outbox)>();
        var failures = new List<Exception?>();
        try
        {
            for (var i = 0; i < Connections; i++)
            {
                var accept = listener.AcceptAsync(ct).AsTask();
                var client = await RawWebSocketClient.ConnectTcpAsync(port, ct);
                var server = await accept;
                var stream = new NetworkStream(server, ownsSocket: false);
                var outbox = new Outbox(stream, maxMessages: 10_000, maxBytes: 64L << 20, new WriteFailures(e =>
                {
                    lock (failures)
                    {
                        failures.Add(e);
                    }
                }), server, scheduler);
                outbox.Start();
                pairs.Add((server, client, stream, outbox));
            }

            // Each sender numbers its own messages; frames from one sender must keep that order.
            var senders = Enumerable.Range(0, Senders).Select(s => Task.Run(() =>
            {
                for (var seq = 0; seq < MessagesPerSender; seq++)
                {
                    var message = OutgoingMessage.Text($"{s}:{seq}");
                    foreach (var pair in pairs)
                    {
                        Assert.That(pair.Outbox.TryEnqueue(message), Is.EqualTo(EnqueueResult.Queued));
                    }
                }
            }, ct)).ToArray();
            await Task.WhenAll(senders);

            var readers = pairs.Select(pair => ReadTextFramesAsync(pair.Client, Senders * MessagesPerSender, ct)).ToArray();
            var received = await Task.WhenAll(readers);

            foreach (var frames in received)
            {
                var next = new int[Senders];
                foreach (var text in frames)
                {
                    var parts = text.Split(':');
                    var sender = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
                    Assert.That(int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(next[sender]), $"sender {sender}'s frames out of order");
                    next[sender]++;
                }
                Assert.That(next, Is.All.EqualTo(MessagesPerSender));
            }
            lock (failures)
            {
                Assert.That(failures, Is.Empty);
            }
        }
        finally
        {
            foreach (var pair in pairs)
            {
                pair.Stream.Dispose();
                pair.Server.Dispose();
                await pair.Client.DisposeAsync();
            }
        }
    }

    /// <summary>Reads <paramref name="count"/> frames, each a final text frame, and returns their texts.</summary>
    private static async Task<List<string>> ReadTextFramesAsync(RawWebSocketClient client, int count, CancellationToken ct)
    {
        var texts = new List<string>(count);
        while (texts.Count < count)
        {
            var frame = await client.ReadFrameAsync(ct);
            Assert.That(frame, Is.Not.Null, "the connection ended early");
            Assert.That(frame!.Fin && frame.Rsv == 0 && frame.Opcode == 0x1, Is.True, "a final text frame");
            texts.Add(frame.Text);
        }
        Assert.That(client.Buffered, Is.Zero, "nothing beyond the frames sent");
        return texts;
    }
}
