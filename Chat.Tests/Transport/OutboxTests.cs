using System.Text;
using CsCheck;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Transport;

/// <summary>The per-connection send queue on its own: limits, closes, the single writer, pong coalescing.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class OutboxTests
{
    private static Outbox Parked(RecordingStream stream, int maxMessages = 100, long maxBytes = 1 << 20) => new(stream, maxMessages, maxBytes, new WriteFailures(_ => { }));

    private static Outbox Started(RecordingStream stream, int maxMessages = 100, long maxBytes = 1 << 20)
    {
        var outbox = Parked(stream, maxMessages, maxBytes);
        outbox.Start();
        return outbox;
    }

    private static byte[] Pong(string payload) => ServerFrame.Create(ServerFrame.OpPong, Encoding.UTF8.GetBytes(payload));

    private static byte[] Bytes(params OutgoingMessage[] messages) => [.. messages.SelectMany(m => m.Frame.ToArray())];

    /// <summary>Queues a close frame as an end marker and waits until it is written: then so is everything queued before it.</summary>
    private static async Task<byte[]> CloseAndWaitAsync(Outbox outbox, OutgoingMessage close, CancellationToken ct)
    {
        outbox.TryEnqueue(close);
        await outbox.CloseWritten!.WaitAsync(ct);
        return close.Frame.ToArray();
    }

    [Test]
    public async Task The_message_limit_refuses_the_message_past_it()
    {
        var ct = TestTimeouts.Token();
        var stream = new RecordingStream();
        var outbox = Parked(stream, maxMessages: 3);
        var messages = Enumerable.Range(0, 4).Select(i => OutgoingMessage.Text($"m{i}")).ToArray();

        var results = messages.Select(outbox.TryEnqueue).ToArray();

        Assert.That(results, Is.EqualTo(new[] { EnqueueResult.Queued, EnqueueResult.Queued, EnqueueResult.Queued, EnqueueResult.Full }));
        Assert.That(outbox.Queued.Messages, Is.EqualTo(3));
        outbox.Start();
        var close = await CloseAndWaitAsync(outbox, OutgoingMessage.EmptyClose(), ct);
        Assert.That(stream.Written, Is.EqualTo(Bytes(messages[..3]).Concat(close)));
    }

    [Test]
    public async Task Replayed_history_is_left_out_of_the_limits_up_to_one_more_queue_and_written_in_order()
    {
        var ct = TestTimeouts.Token();
        var stream = new RecordingStream();
        var outbox = Parked(stream, maxMessages: 3);
        var entry = new Fleck.Chat.Rooms.RoomEntry("ann", "earlier", 0, 1);
        var history = Enumerable.Range(0, 3).Select(_ => Fleck.Chat.Protocol.ChatEvents.History(entry)).ToArray();
        var live = Enumerable.Range(0, 3).Select(i => OutgoingMessage.Text($"live{i}")).ToArray();

        var historyResults = history.Select(outbox.TryEnqueue).ToArray();
        var liveResults = live.Select(outbox.TryEnqueue).ToArray();
        var pastTheLimit = outbox.TryEnqueue(OutgoingMessage.Text("one too many"));
        // A client that reads nothing holds at most twice the limits: history past that counts too.
        var pastTwice = outbox.TryEnqueue(Fleck.Chat.Protocol.ChatEvents.History(entry));

        Assert.That(historyResults, Is.All.EqualTo(EnqueueResult.Queued), "a whole queue's worth of replayed messages");
        Assert.That(liveResults, Is.All.EqualTo(EnqueueResult.Queued), "and the live messages still have the whole limit");
        Assert.That((pastTheLimit, pastTwice), Is.EqualTo((EnqueueResult.Full, EnqueueResult.Full)));
        outbox.Start();
        var close = await CloseAndWaitAsync(outbox, OutgoingMessage.EmptyClose(), ct);
        Assert.That(stream.Written, Is.EqualTo(Bytes([.. history, .. live]).Concat(close)));
    }

    [Test]
    public void The_byte_limit_refuses_the_message_that_would_pass_it_and_takes_one_that_fits()
    {
        var stream = new RecordingStream();
        var big = OutgoingMessage.Text(new string('x', 100));
        var small = OutgoingMessage.Text("");
        var outbox = Parked(stream, maxBytes: 2 * big.WireLength + small.WireLength);

        Assert.That(outbox.TryEnqueue(big), Is.EqualTo(EnqueueResult.Queued));
        Assert.That(outbox.TryEnqueue(big), Is.EqualTo(EnqueueResult.Queued));
        Assert.That(outbox.TryEnqueue(big), Is.EqualTo(EnqueueResult.Full));
        Assert.That(outbox.TryEnqueue(small), Is.EqualTo(EnqueueResult.Queued));
        Assert.That(outbox.TryEnqueue(small), Is.EqualTo(EnqueueResult.Full));
        Assert.That(outbox.Queued, Is.EqualTo((3, 2L * big.WireLength + small.WireLength)));
    }

    [Test]
    public async Task A_close_replaces_everything_queued()
    {
        var ct = TestTimeouts.Token();
        var stream = new RecordingStream();
        var outbox = Parked(stream);
        outbox.TryEnqueue(OutgoingMessage.Text("dropped 1"));
        outbox.TryEnqueue(OutgoingMessage.Text("dropped 2"));
        outbox.EnqueueFrameFromParser(Pong("dropped pong"));
        var close = OutgoingMessage.Close(WebSocketCloseCode.PolicyViolation, "too slow");

        outbox.ReplaceWithClose(close);
        outbox.Start();
        await outbox.CloseWritten!.WaitAsync(ct);

        Assert.That(stream.Written, Is.EqualTo(Bytes(close)));
    }

    [Test]
    public async Task Nothing_is_queued_after_a_close()
    {
        var ct = TestTimeouts.Token();
        var stream = new RecordingStream();
        var outbox = Started(stream);
        var before = OutgoingMessage.Text("before");
        var close = OutgoingMessage.Close(WebSocketCloseCode.Normal, null);
        outbox.TryEnqueue(before);
        outbox.TryEnqueue(close);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outbox.TryEnqueue(OutgoingMessage.Text("after")), Is.EqualTo(EnqueueResult.Closed));
            Assert.That(outbox.EnqueueFrameFromParser(Pong("after")), Is.EqualTo(EnqueueResult.Closed));
            Assert.That(outbox.EnqueueFrameFromParser(ServerFrame.CreateClose(1002, null)), Is.EqualTo(EnqueueResult.Closed));
        }
        await outbox.CloseWritten!.WaitAsync(ct);
        Assert.That(stream.Written, Is.EqualTo(Bytes(before, close)));
    }

    [Test]
    public async Task Only_one_write_runs_at_a_time_and_each_sender_s_frames_keep_their_order()
    {
        var ct = TestTimeouts.Token();
        var stream = new RecordingStream();
        var outbox = Started(stream, maxMessages: 1000);
        stream.Hold();
        var first = OutgoingMessage.Text("first");
        outbox.TryEnqueue(first);
        await stream.WriteStartedAsync(ct);

        // While the first write is held, four senders queue at once; more drains must not start.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(sender => Task.Run(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                Assert.That(outbox.TryEnqueue(OutgoingMessage.Text($"{sender}:{i}")), Is.EqualTo(EnqueueResult.Queued));
            }
        }, ct)));
        stream.Release();
        var close = await CloseAndWaitAsync(outbox, OutgoingMessage.EmptyClose(), ct);

        var frames = ServerFrames(stream.Written);
        Assert.That(stream.Overlapped, Is.False, "writes never overlap");
        Assert.That(frames[0], Is.EqualTo("first"));
        Assert.That(frames, Has.Count.EqualTo(1 + 200 + 1));
        for (var sender = 0; sender < 4; sender++)
        {
            var own = frames.Where(f => f.StartsWith($"{sender}:", StringComparison.Ordinal)).ToList();
            Assert.That(own, Is.EqualTo(Enumerable.Range(0, 50).Select(i => $"{sender}:{i}")), $"sender {sender} in order");
        }
        Assert.That(stream.Writes, Has.Count.LessThan(frames.Count), "frames queued behind a write share the next one");
        Assert.That(close, Is.EqualTo(stream.Writes[^1][^close.Length..]));
    }

    [Test]
    public async Task A_newer_pong_replaces_one_not_yet_written()
    {
        var ct = TestTimeouts.Token();
        var stream = new RecordingStream();
        var outbox = Parked(stream);

        var results = new[] { "1", "22", "333" }.Select(p => outbox.EnqueueFrameFromParser(Pong(p))).ToArray();

        Assert.That(results, Is.All.EqualTo(EnqueueResult.Queued));
        Assert.That(outbox.Queued, Is.EqualTo((1, (long)Pong("333").Length)));
        outbox.Start();
        var close = await CloseAndWaitAsync(outbox, OutgoingMessage.EmptyClose(), ct);
        Assert.That(stream.Written, Is.EqualTo(Pong("333").Concat(close)));
    }

    [Test]
    public async Task Pongs_that_arrive_during_a_stuck_write_leave_one_pong_to_write_next()
    {
        var ct = TestTimeouts.Token();
        var stream = new RecordingStream();
        var outbox = Started(stream);
        stream.Hold();
        var data = OutgoingMessage.Text("data");
        outbox.TryEnqueue(data);
        await stream.WriteStartedAsync(ct);

        for (var i = 0; i < 1000; i++)
        {
            outbox.EnqueueFrameFromParser(Pong($"ping {i}"));
        }

        Assert.That(outbox.Queued.Messages, Is.EqualTo(1));
        stream.Release();
        var close = await CloseAndWaitAsync(outbox, OutgoingMessage.EmptyClose(), ct);
        Assert.That(stream.Written, Is.EqualTo(Bytes(data).Concat(Pong("ping 999")).Concat(close)));
    }

    [Test]
    public async Task A_waiting_pong_goes_out_ahead_of_queued_data()
    {
        var ct = TestTimeouts.Token();
        var stream = new RecordingStream();
        var outbox = Parked(stream);
        var data = OutgoingMessage.Text("data");
        outbox.TryEnqueue(data);
        outbox.EnqueueFrameFromParser(Pong("pong"));

        outbox.Start();
        var close = await CloseAndWaitAsync(outbox, OutgoingMessage.EmptyClose(), ct);

        Assert.That(stream.Written, Is.EqualTo(Pong("pong").Concat(Bytes(data)).Concat(close)));
    }

    [Test]
    public void A_pong_counts_against_the_limits()
    {
        var stream = new RecordingStream();
        var outbox = Parked(stream, maxMessages: 2);
        outbox.TryEnqueue(OutgoingMessage.Text("a"));
        outbox.EnqueueFrameFromParser(Pong("p"));

        Assert.That(outbox.TryEnqueue(OutgoingMessage.Text("b")), Is.EqualTo(EnqueueResult.Full), "the waiting pong takes a place");
        Assert.That(Parked(new RecordingStream(), maxMessages: 1).TryEnqueue(OutgoingMessage.Text("a")), Is.EqualTo(EnqueueResult.Queued));
        var full = Parked(new RecordingStream(), maxMessages: 1);
        full.TryEnqueue(OutgoingMessage.Text("a"));
        Assert.That(full.EnqueueFrameFromParser(Pong("p")), Is.EqualTo(EnqueueResult.Full), "a pong that does not fit overflows the queue");
    }

    [Test]
    public void Any_sequence_of_enqueues_stays_within_the_limits_and_is_written_in_order()
    {
        var operation = Gen.Select(Gen.Bool, Gen.Int[0, 300]);
        Gen.Select(Gen.Int[1, 16], Gen.Int[2, 3000], operation.Array[0, 60]).Sample((maxMessages, maxBytes, operations) =>
        {
            var stream = new RecordingStream();
            var outbox = Parked(stream, maxMessages, maxBytes);
            var data = new List<byte[]>();
            byte[]? pong = null;
            foreach (var (isPong, size) in operations)
            {
                var message = OutgoingMessage.Text(new string('d', size));
                var frame = isPong ? Pong(new string('p', Math.Min(size, 125))) : message.Frame.ToArray();
                var count = data.Count + (pong is null ? 0 : 1);
                var bytes = data.Sum(d => (long)d.Length) + (pong?.Length ?? 0);
                var fits = isPong && pong is not null
                    ? bytes - pong.Length + frame.Length <= maxBytes
                    : count < maxMessages && bytes + frame.Length <= maxBytes;

                var result = isPong ? outbox.EnqueueFrameFromParser(frame) : outbox.TryEnqueue(message);

                Assert.That(result, Is.EqualTo(fits ? EnqueueResult.Queued : EnqueueResult.Full));
                if (fits && isPong)
                {
                    pong = frame;
                }
                else if (fits)
                {
                    data.Add(frame);
                }
                Assert.That(outbox.Queued.Messages, Is.LessThanOrEqualTo(maxMessages));
                Assert.That(outbox.Queued.Bytes, Is.LessThanOrEqualTo(maxBytes));
            }
            outbox.Start();
            var close = OutgoingMessage.EmptyClose();
            outbox.TryEnqueue(close);
            Assert.That(outbox.CloseWritten!.Wait(TestTimeouts.Step), Is.True);
            Assert.That(stream.Written, Is.EqualTo((pong ?? []).Concat(data.SelectMany(d => d)).Concat(close.Frame.ToArray())));
            Assert.That(stream.Overlapped, Is.False);
        }, iter: 300);
    }

    /// <summary>Splits what the server wrote into the texts of its frames (short frames only; a close frame reads as its payload).</summary>
    private static List<string> ServerFrames(byte[] written)
    {
        var texts = new List<string>();
        for (var i = 0; i < written.Length;)
        {
            var length = written[i + 1] & 0x7F;
            texts.Add(Encoding.UTF8.GetString(written, i + 2, length));
            i += 2 + length;
        }
        return texts;
    }
}
