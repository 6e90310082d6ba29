using System.Globalization;

namespace Fleck.Chat.Client.Tests.Support;

/// <summary>
/// Two clients, "a" and "b", each send <see cref="PerSender"/> messages (<c>a:0</c>, <c>a:1</c>, …) while the
/// proxy cuts every connection every 100–500 ms. Each client must read every message of both senders once,
/// in order, with no gap; every send must complete once, with the offset its sender read it at. A last
/// message each, sent after the cutting stopped, proves nothing doubled arrived before it.
/// </summary>
internal sealed class FlappingExchange
{
    // The client takes a message in microseconds, so unpaced the exchange would be over before the first
    // cut. Each sender sends one message every tick instead, without waiting for acks: the exchange spans
    // seconds, and a cut finds sends in flight. (The pace only shapes the load; every check waits for events.)
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(2);

    public required EventLog A { get; init; }
    public required EventLog B { get; init; }
    public required CutProxy Proxy { get; init; }
    public required int PerSender { get; init; }

    /// <summary>Sends one message from a client; completes with its ack.</summary>
    public required Func<EventLog, string, CancellationToken, Task<SendResult>> Send { get; init; }

    /// <summary>The exchange's message in an event, or null for any other event.</summary>
    public required Func<ChatEvent, ChatMessage?> Pick { get; init; }

    /// <summary>
    /// When set, awaited by a's sender right after it sent the first message of its second half, with how many
    /// sends were unacknowledged at that moment (a host restart goes here).
    /// </summary>
    public Func<int, Task>? Midway { get; init; }

    private int _unsettled;

    public async Task RunAsync(CancellationToken ct)
    {
        var readers = new Dictionary<EventLog, Reader> { [A] = new(A, Pick), [B] = new(B, Pick) };
        var sends = new Dictionary<EventLog, List<(string Text, Task<SendResult> Ack)>> { [A] = [], [B] = [] };
        Task<SendResult> SendOne(EventLog from, string text)
        {
            Interlocked.Increment(ref _unsettled);
            var ack = TrackAsync(Send(from, text, ct));
            sends[from].Add((text, ack));
            return ack;
        }
        async Task SendAllAsync(EventLog from, string tag)
        {
            using var pace = new PeriodicTimer(Pace);
            var mine = new List<Task<SendResult>>();
            for (var i = 0; i < PerSender; i++)
            {
                mine.Add(SendOne(from, Text(tag, i)));
                if (Midway is { } midway && from == A && i == PerSender / 2)
                {
                    await midway(Volatile.Read(ref _unsettled));
                }
                await pace.WaitForNextTickAsync(ct);
            }
            await Task.WhenAll(mine);
        }

        using (var stopCutting = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            var chaos = Proxy.CutRandomlyAsync(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), stopCutting.Token);
            try
            {
                await FirstFailureAsync(SendAllAsync(A, "a"), SendAllAsync(B, "b"), readers[A].ReadAsync(PerSender, ct), readers[B].ReadAsync(PerSender, ct));
            }
            finally
            {
                await stopCutting.CancelAsync();
                await chaos;
            }
        }
        // With the connections left alone now, a last message each.
        await FirstFailureAsync(SendOne(A, Text("a", PerSender)), SendOne(B, Text("b", PerSender)),
            readers[A].ReadAsync(PerSender + 1, ct), readers[B].ReadAsync(PerSender + 1, ct));

        Assert.Multiple(() =>
        {
            Assert.That(Proxy.Cuts, Is.GreaterThanOrEqualTo(3), "the proxy cut connections during the exchange");
            TestContext.Out.WriteLine($"cuts {Proxy.Cuts}, connections {Proxy.Connections}");
            foreach (var (client, mine) in sends)
            {
                var results = mine.Select(s => s.Ack.Result).ToList();
                Assert.That(results.Select(r => r.Offset).Distinct().Count(), Is.EqualTo(PerSender + 1), "every send numbered once");
                Assert.That(results.Select(r => r.Offset), Is.EqualTo(mine.Select(s => readers[client].OffsetOf(s.Text))), "each ack carries the offset its sender read the message at");
            }
        });
    }

    private async Task<SendResult> TrackAsync(Task<SendResult> send)
    {
        try
        {
            return await send;
        }
        finally
        {
            Interlocked.Decrement(ref _unsettled);
        }
    }

    private static string Text(string tag, int i) => tag + ":" + i.ToString(CultureInfo.InvariantCulture);

    /// <summary>Awaits every task, failing as soon as one fails (a reader that saw a message out of order stops the run).</summary>
    private static async Task FirstFailureAsync(params Task[] tasks)
    {
        var pending = tasks.ToList();
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending);
            await done;
            pending.Remove(done);
        }
    }

    /// <summary>What one client reads: both senders' messages, each in order, none twice, none missing, no gap.</summary>
    private sealed class Reader(EventLog client, Func<ChatEvent, ChatMessage?> pick)
    {
        private readonly Dictionary<string, int> _next = new(StringComparer.Ordinal) { ["a"] = 0, ["b"] = 0 };
        private readonly Dictionary<string, long> _offsets = new(StringComparer.Ordinal);

        public long OffsetOf(string text) => _offsets.GetValueOrDefault(text, -1);

        /// <summary>Reads until <paramref name="count"/> messages of each sender have arrived.</summary>
        public async Task ReadAsync(int count, CancellationToken ct)
        {
            while (_next.Values.Any(n => n < count))
            {
                var e = await client.WaitForAsync<ChatEvent>(e => e is GapEvent || pick(e) is not null, ct);
                if (e is GapEvent gap)
                {
                    Assert.Fail($"a gap in {gap.Room ?? "its own stream"}");
                }
                var message = pick(e)!;
                var (tag, i) = (message.Text.Split(':')[0], int.Parse(message.Text.Split(':')[1], CultureInfo.InvariantCulture));
                if (i != _next[tag])
                {
                    Assert.Fail($"read {message.Text} (offset {message.Offset}) when {tag}:{_next[tag]} was next");
                }
                _next[tag]++;
                _offsets[message.Text] = message.Offset;
            }
        }
    }
}
