using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Fleck.Chat.Bench;

/// <summary>
/// Rooms mode: the clients split evenly over <c>--rooms</c> rooms (client i in room i mod R), and
/// clients 0..S-1 (<c>--senders</c>) each send <c>--messages</c> to their own room. A message is
/// delivered to its room's members only, so deliveries = sum over senders of their room's size x messages.
/// </summary>
internal static partial class Scenarios
{
    public static async Task<JsonObject> RoomsAsync(BenchOptions o, CancellationToken ct)
    {
        if (o.Rooms <= 0 || o.Senders > o.Clients)
        {
            throw new ArgumentException("the rooms scenario needs --rooms R and at most --clients senders");
        }
        await using var run = new LoadRun(o);
        await run.ConnectAsync(o.Clients, ct);
        run.StartReceiving(64 * 1024, o.Senders);
        await SettleAsync(run, o, ct);
        await run.JoinRoomsAsync(ct);
        var joined = await LoadRun.WaitUntilAsync(() => run.JoinedEvents >= o.Clients, TimeSpan.FromSeconds(60), ct);
        if (!joined)
        {
            throw new TimeoutException($"only {run.JoinedEvents} of {o.Clients} clients got into their rooms");
        }
        await Task.Delay(500, ct);

        var roomSize = new int[o.Rooms];
        for (var i = 0; i < o.Clients; i++)
        {
            roomSize[i % o.Rooms]++;
        }
        var expected = Enumerable.Range(0, o.Senders).Sum(s => (long)roomSize[s % o.Rooms]) * o.Messages;
        var health = await ServerHealth.ReadAsync(o.Health, ct);
        var server = ServerSnapshot.Take(o.ServerPids);
        var self = ServerSnapshot.Take([Environment.ProcessId]);
        var sw = Stopwatch.StartNew();
        var senders = Enumerable.Range(0, o.Senders).Select(s => Task.Run(() => run.SendWindowedAsync(s, o.Messages, ct), ct)).ToArray();
        var complete = await LoadRun.WaitUntilAsync(() => run.TotalReceived >= expected, TimeSpan.FromSeconds(o.TimeoutSeconds), ct);
        var elapsed = sw.Elapsed.TotalSeconds;
        var serverAfter = ServerSnapshot.Take(o.ServerPids);
        var selfAfter = ServerSnapshot.Take([Environment.ProcessId]);
        await Task.WhenAny(Task.WhenAll(senders), Task.Delay(1000, ct));

        var received = run.TotalReceived;
        var latency = run.MergedLatency();
        var result = Common("rooms", o, received, elapsed, server, serverAfter, self, selfAfter);
        result["rooms"] = o.Rooms;
        result["complete"] = complete;
        result["lost"] = expected - received;
        result["outOfOrder"] = run.OutOfOrder;
        result["p50Ms"] = Round(latency.PercentileMs(0.50));
        result["p99Ms"] = Round(latency.PercentileMs(0.99));
        result["maxMs"] = Round(latency.MaxMs);
        ServerHealth.Report(result, health, await ServerHealth.ReadAsync(o.Health, ct), received);
        return result;
    }
}
