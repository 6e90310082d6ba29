using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Fleck.Chat.Bench;

/// <summary>The four scenarios. Each returns its result as JSON; every wait is bounded by the run's timeout.</summary>
internal static partial class Scenarios
{
    public static async Task<JsonObject> FanoutAsync(BenchOptions o, CancellationToken ct)
    {
        await using var run = new LoadRun(o);
        await run.ConnectAsync(o.Clients, ct);
        run.StartReceiving(64 * 1024, o.Senders);
        await SettleAsync(run, o, ct);

        var health = await ServerHealth.ReadAsync(o.Health, ct);
        var server = ServerSnapshot.Take(o.ServerPids);
        var self = ServerSnapshot.Take([Environment.ProcessId]);
        var gc = GC.CollectionCount(0);
        var sw = Stopwatch.StartNew();
        var senders = Enumerable.Range(0, o.Senders).Select(s => Task.Run(() => run.SendWindowedAsync(s, o.Messages, ct), ct)).ToArray();
        var expected = (long)o.Clients * o.Senders * o.Messages;
        var complete = await LoadRun.WaitUntilAsync(() => run.TotalReceived >= expected, TimeSpan.FromSeconds(o.TimeoutSeconds), ct);
        var elapsed = sw.Elapsed.TotalSeconds;
        var serverAfter = ServerSnapshot.Take(o.ServerPids);
        var selfAfter = ServerSnapshot.Take([Environment.ProcessId]);
        await Task.WhenAny(Task.WhenAll(senders), Task.Delay(1000, ct));

        var received = run.TotalReceived;
        var latency = run.MergedLatency();
        var result = Common("fanout", o, received, elapsed, server, serverAfter, self, selfAfter);
        result["complete"] = complete;
        result["lost"] = expected - received;
        result["outOfOrder"] = run.OutOfOrder;
        result["p50Ms"] = Round(latency.PercentileMs(0.50));
        result["p99Ms"] = Round(latency.PercentileMs(0.99));
        result["maxMs"] = Round(latency.MaxMs);
        result["generatorGen0"] = GC.CollectionCount(0) - gc;
        ServerHealth.Report(result, health, await ServerHealth.ReadAsync(o.Health, ct), received);
        return result;
    }

    public static async Task<JsonObject> SteadyAsync(BenchOptions o, CancellationToken ct)
    {
        await using var run = new LoadRun(o);
        await run.ConnectAsync(o.Clients, ct);
        run.StartReceiving(64 * 1024, o.Senders);
        await SettleAsync(run, o, ct);

        // A thousand handshakes leave the server a second or two of work (collections, tiered JIT);
        // at this low rate that would be billed to the deliveries, so it passes first, measured apart.
        var afterConnectingCpuPct = await ServerCpuPctOverAsync(o, TimeSpan.FromSeconds(2), ct);

        // Total message rate = delivery rate / clients, shared evenly by the senders.
        var interval = TimeSpan.FromSeconds(o.Senders * o.Clients / o.Rate);
        var duration = TimeSpan.FromSeconds(o.DurationSeconds);
        var server = ServerSnapshot.Take(o.ServerPids);
        var self = ServerSnapshot.Take([Environment.ProcessId]);
        var sw = Stopwatch.StartNew();
        var sent = await Task.WhenAll(Enumerable.Range(0, o.Senders).Select(s => Task.Run(() => run.SendPacedAsync(s, interval, duration, ct), ct)));
        var expected = sent.Sum(x => (long)x) * o.Clients;
        var complete = await LoadRun.WaitUntilAsync(() => run.TotalReceived >= expected, TimeSpan.FromSeconds(30), ct);
        var elapsed = sw.Elapsed.TotalSeconds;
        var serverAfter = ServerSnapshot.Take(o.ServerPids);
        var selfAfter = ServerSnapshot.Take([Environment.ProcessId]);
        // The same clients connected and nobody writing: what the server spends regardless of the
        // load (timers, keepalives, the runtime), to set beside its CPU per delivery at this rate.
        var quietCpuPct = await ServerCpuPctOverAsync(o, TimeSpan.FromSeconds(2), ct);

        var received = run.TotalReceived;
        var latency = run.MergedLatency();
        var result = Common("steady", o, received, elapsed, server, serverAfter, self, selfAfter);
        result["targetDeliveriesPerSec"] = o.Rate;
        result["serverCpuPctAfterConnecting"] = afterConnectingCpuPct;
        result["serverQuietCpuPct"] = quietCpuPct;
        result["complete"] = complete;
        result["lost"] = expected - received;
        result["outOfOrder"] = run.OutOfOrder;
        result["p50Ms"] = Round(latency.PercentileMs(0.50));
        result["p99Ms"] = Round(latency.PercentileMs(0.99));
        result["maxMs"] = Round(latency.MaxMs);
        return result;
    }

    public static async Task<JsonObject> IdleAsync(BenchOptions o, CancellationToken ct)
    {
        await using var run = new LoadRun(o);
        GC.Collect();
        var rssBefore = o.ServerPids.Sum(ProcStats.RssKiB);
        await run.ConnectAsync(o.Clients, ct);
        run.StartReceiving(2048, senders: 1);
        await SettleAsync(run, o, ct);
        // Read the memory once the server has settled (the GC gives back what the handshakes left
        // behind over a few seconds): two readings a second apart within 0.5%, or 20 s at most.
        var rssAfter = await SettledRssAsync(o.ServerPids.FirstOrDefault(), ct);

        await run.SendWindowedAsync(0, 1, ct);
        var reached = await LoadRun.WaitUntilAsync(() => run.TotalReceived >= o.Clients, TimeSpan.FromSeconds(60), ct);

        return new JsonObject
        {
            ["scenario"] = "idle",
            ["label"] = o.Label,
            ["nick"] = o.Nick,
            ["ids"] = o.Ids,
            ["clients"] = o.Clients,
            ["handshakesPerSec"] = Math.Round(run.HandshakesPerSecond),
            ["serverRssBeforeMiB"] = Round(rssBefore / 1024.0),
            ["serverRssAfterMiB"] = Round(rssAfter / 1024.0),
            ["kibPerConnection"] = Round((rssAfter - rssBefore) / (double)o.Clients),
            ["finalBroadcastReached"] = run.TotalReceived,
            ["allReached"] = reached,
        };
    }

    public static async Task<JsonObject> StalledAsync(BenchOptions o, CancellationToken ct)
    {
        // Client 0 never reads and shrinks its socket buffer; client 1 sends; everyone else reads.
        await using var run = new LoadRun(o);
        await run.ConnectAsync(o.Clients + 1, ct);
        run.Clients[0].UseTinyReceiveBuffer();
        run.StartReceiving(64 * 1024, senders: 2, stalled: new HashSet<int> { 0 });
        await SettleAsync(run, o with { Clients = o.Clients + 1 }, ct, skipUsersFor: 1);

        long peakRss = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested && o.ServerPids.FirstOrDefault() is > 0 and var pid)
            {
                peakRss = Math.Max(peakRss, ProcStats.RssKiB(pid));
                await Task.Delay(100, CancellationToken.None);
            }
        }, CancellationToken.None);
        var sw = Stopwatch.StartNew();
        await run.SendWindowedAsync(1, o.Messages, ct);
        var expected = (long)o.Clients * o.Messages;
        var complete = await LoadRun.WaitUntilAsync(() => run.TotalReceived >= expected, TimeSpan.FromSeconds(o.TimeoutSeconds), ct);
        var elapsed = sw.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        await sampler;

        // Now drain the stalled client to learn whether the server cut it off, and how.
        var stalled = run.Clients[0];
        using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await stalled.ReceiveLoopAsync(64 * 1024, static (_, _, _) => { }, drain.Token);

        return new JsonObject
        {
            ["scenario"] = "stalled",
            ["label"] = o.Label,
            ["clients"] = o.Clients,
            ["messages"] = o.Messages,
            ["bytes"] = o.Bytes,
            ["complete"] = complete,
            ["lostByOthers"] = expected - run.TotalReceived,
            ["outOfOrder"] = run.OutOfOrder,
            ["stalledDisconnected"] = stalled.Closed,
            ["stalledCloseCode"] = stalled.CloseCode,
            ["serverPeakRssMiB"] = Round(peakRss / 1024.0),
            ["elapsedSec"] = Round(elapsed),
        };
    }

    /// <summary>The servers' CPU, in % of one core, over <paramref name="span"/> from now; null without a server process.</summary>
    private static async Task<double?> ServerCpuPctOverAsync(BenchOptions o, TimeSpan span, CancellationToken ct)
    {
        var before = ServerSnapshot.Take(o.ServerPids);
        var timer = Stopwatch.StartNew();
        await Task.Delay(span, ct);
        var after = ServerSnapshot.Take(o.ServerPids);
        return o.ServerPids.Count > 0 ? Round(100 * (after.CpuUs - before.CpuUs) / 1e6 / timer.Elapsed.TotalSeconds) : null;
    }

    private static async Task<long> SettledRssAsync(int p, CancellationToken ct)
    {
        if (p == 0)
        {
            return 0;
        }
        var previous = ProcStats.RssKiB(p);
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(1000, ct);
            var now = ProcStats.RssKiB(p);
            if (Math.Abs(now - previous) <= previous * 0.005)
            {
                return now;
            }
            previous = now;
        }
        return previous;
    }

    /// <summary>In nick mode every client first gets its users event; wait for those so joins do not count as load.</summary>
    private static async Task SettleAsync(LoadRun run, BenchOptions o, CancellationToken ct, int skipUsersFor = 0)
    {
        if (o.Nick)
        {
            await LoadRun.WaitUntilAsync(() => run.UsersEvents >= o.Clients - skipUsersFor, TimeSpan.FromSeconds(60), ct);
        }
        await Task.Delay(500, ct);
    }

    private static JsonObject Common(string scenario, BenchOptions o, long received, double elapsed, ServerSnapshot server, ServerSnapshot serverAfter, ServerSnapshot self, ServerSnapshot selfAfter)
    {
        var serverCpu = serverAfter.CpuUs - server.CpuUs;
        return new JsonObject
        {
            ["scenario"] = scenario,
            ["label"] = o.Label,
            ["nick"] = o.Nick,
            ["ids"] = o.Ids,
            ["clients"] = o.Clients,
            ["senders"] = o.Senders,
            ["messages"] = o.Messages,
            ["bytes"] = o.Bytes,
            ["deliveries"] = received,
            ["elapsedSec"] = Round(elapsed),
            ["deliveriesPerSec"] = Math.Round(received / elapsed),
            ["nodes"] = o.Servers.Count,
            ["serverCpuUsPerDelivery"] = received > 0 && o.ServerPids.Count > 0 ? Round(serverCpu / received) : null,
            ["serverCpuPct"] = o.ServerPids.Count > 0 ? Round(100 * serverCpu / 1e6 / elapsed) : null,
            // With several server processes (nodes, then Redis) each one's share, in the order given.
            ["serverCpuPctByProcess"] = new JsonArray([.. serverAfter.CpuUsByProcess.Zip(server.CpuUsByProcess, (a, b) => (JsonNode)Round(100 * (a - b) / 1e6 / elapsed))]),
            ["serverRssMiB"] = Round(serverAfter.RssKiB / 1024.0),
            ["generatorCpuPct"] = Round(100 * (selfAfter.CpuUs - self.CpuUs) / 1e6 / elapsed),
        };
    }

    private static double Round(double v) => Math.Round(v, 3);
}

/// <summary>CPU and memory of a process at one moment; zeros when there is no process to read.</summary>
internal readonly record struct ServerSnapshot(double CpuUs, long RssKiB, double[] CpuUsByProcess)
{
    public static ServerSnapshot Take(IReadOnlyList<int> pids)
    {
        var cpu = pids.Select(ProcStats.CpuMicroseconds).ToArray();
        return new(cpu.Sum(), pids.Sum(ProcStats.RssKiB), cpu);
    }
}
