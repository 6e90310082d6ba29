using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Fleck.Chat.Bench;

/// <summary>
/// Recovery (nick-broadcast with history kept): the fanout of <c>--clients</c> with <c>--senders</c>
/// writing <c>--messages</c> each, during which <c>--reconnects</c> receiving clients each drop their
/// connection once and come back with <c>?since=&lt;last offset seen&gt;&amp;epoch=&lt;epoch&gt;</c>.
/// Every client must still see every message exactly once and in order (checked by offset), the
/// missed ones as <c>history</c> after the resume. The drops are spread from 5% to 80% of the
/// deliveries, so every resume is done well before the end.
/// </summary>
internal static partial class Scenarios
{
    public static async Task<JsonObject> RecoveryAsync(BenchOptions o, CancellationToken ct)
    {
        o = o with { Nick = true };
        if (o.Reconnects <= 0 || o.Reconnects > o.Clients - o.Senders)
        {
            throw new ArgumentException("the recovery scenario needs 1 to (clients - senders) --reconnects");
        }
        // The measured clients join at the stream's current offset, as if they had seen everything
        // so far: otherwise each would first be sent the warm-up's kept messages as history, a
        // million events still in flight when the run starts.
        var start = await ReadStreamPositionAsync(o, ct);
        await using var run = new LoadRun(o) { JoinQuery = $"since={start.Offset}&epoch={Uri.EscapeDataString(start.Epoch)}" };
        run.TrackStream();
        await run.ConnectAsync(o.Clients, ct);
        run.StartReceiving(64 * 1024, o.Senders);
        await SettleAsync(run, o, ct);
        var stream = run.Stream!;
        var recoveredAtJoin = stream.Recovered;

        var health = await ServerHealth.ReadAsync(o.Health, ct);
        var server = ServerSnapshot.Take(o.ServerPids);
        var self = ServerSnapshot.Take([Environment.ProcessId]);
        var sw = Stopwatch.StartNew();
        var senders = Enumerable.Range(0, o.Senders).Select(s => Task.Run(() => run.SendWindowedAsync(s, o.Messages, ct), ct)).ToArray();
        var expected = (long)o.Clients * o.Senders * o.Messages;
        var resumeMs = new double[o.Reconnects];
        var dropping = Task.Run(async () =>
        {
            var resumes = new List<Task<int>>();
            for (var k = 0; k < o.Reconnects; k++)
            {
                var at = (long)(expected * (0.05 + 0.75 * k / o.Reconnects));
                await LoadRun.WaitUntilAsync(() => run.TotalReceived >= at, TimeSpan.FromSeconds(o.TimeoutSeconds), ct);
                var client = o.Senders + (k * (o.Clients - o.Senders) / o.Reconnects);
                var slot = k;
                resumes.Add(Task.Run(async () =>
                {
                    var timer = Stopwatch.StartNew();
                    var attempts = await run.ReconnectAsync(client, 64 * 1024, ct);
                    resumeMs[slot] = timer.Elapsed.TotalMilliseconds;
                    return attempts;
                }, ct));
            }
            return await Task.WhenAll(resumes);
        }, ct);
        // A message skipped (a gap) never comes: counting it here ends a failed run at once instead of at the timeout.
        var complete = await LoadRun.WaitUntilAsync(() => run.TotalReceived + stream.Gaps >= expected, TimeSpan.FromSeconds(o.TimeoutSeconds), ct);
        var elapsed = sw.Elapsed.TotalSeconds;
        var serverAfter = ServerSnapshot.Take(o.ServerPids);
        var selfAfter = ServerSnapshot.Take([Environment.ProcessId]);
        await Task.WhenAny(Task.WhenAll(senders), Task.Delay(1000, ct));
        var attempts = await dropping;

        var received = run.TotalReceived;
        var latency = run.MergedLatency();
        Array.Sort(resumeMs);
        var result = Common("recovery", o, received, elapsed, server, serverAfter, self, selfAfter);
        result["reconnects"] = o.Reconnects;
        result["complete"] = complete && stream.Gaps == 0;
        result["lost"] = expected - received;
        // A repeated offset counts as out of order; a skipped one is a message lost.
        result["outOfOrder"] = run.OutOfOrder + stream.Duplicates;
        result["duplicates"] = stream.Duplicates;
        result["gaps"] = stream.Gaps;
        result["recovered"] = stream.Recovered - recoveredAtJoin;
        result["notRecovered"] = stream.NotRecovered;
        result["recoveredMessages"] = stream.RecoveredMessages;
        result["epochChanges"] = stream.EpochChanges;
        result["reconnectAttempts"] = attempts.Sum();
        result["resumeMsMedian"] = Round(resumeMs[resumeMs.Length / 2]);
        result["resumeMsMax"] = Round(resumeMs[^1]);
        result["p50Ms"] = Round(latency.PercentileMs(0.50));
        result["p99Ms"] = Round(latency.PercentileMs(0.99));
        result["maxMs"] = Round(latency.MaxMs);
        ServerHealth.Report(result, health, await ServerHealth.ReadAsync(o.Health, ct), received);
        return result;
    }

    /// <summary>The chat stream's epoch and latest offset, from the <c>users</c> event of a short-lived extra member.</summary>
    /// <remarks>
    /// The probe joins with the warm-up's kept messages as its history (up to 5,000 with the recovery
    /// host's --history), more than a send queue holds; the server once cut such a joiner as a slow
    /// reader, and the probe waited for nothing. A probe the server closes now ends the run at once, with the code.
    /// </remarks>
    private static async Task<(string Epoch, long Offset)> ReadStreamPositionAsync(BenchOptions o, CancellationToken ct)
    {
        await using var probe = await BenchClient.ConnectAsync(-1, o.Servers[0], System.Net.IPAddress.Loopback, $"{o.Path}/probe", ct);
        var tracker = new StreamTracker(1);
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var loop = probe.ReceiveLoopAsync(64 * 1024, (_, frame, _) => tracker.Accept(0, frame, out _, out _, out _), reading.Token);
        await LoadRun.WaitUntilAsync(() => tracker.UsersSeen(0) > 0 || probe.Closed, TimeSpan.FromSeconds(20), ct);
        await reading.CancelAsync();
        await loop;
        if (tracker.UsersSeen(0) > 0)
        {
            return tracker.Position(0);
        }
        throw new InvalidOperationException(probe.Closed
            ? $"the server closed the stream probe (code {probe.CloseCode?.ToString() ?? "none"}) before its users event"
            : "no users event for the stream probe within 20 s: is the server in nick-broadcast mode?");
    }
}
