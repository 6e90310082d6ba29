using System.Diagnostics;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Streams;

/// <summary>
/// One client cannot grow the host for ever: rooms created as fast as possible are forgotten once
/// their time to live passed, so a second round costs no more than the first (in memory and in the
/// SQLite file); and ten clients filling new rooms with the largest messages leave the host's memory
/// bounded by <c>--history-memory</c> plus a fixed overhead.
/// </summary>
[NonParallelizable]
[CancelAfter(600_000)]
public sealed class StreamGrowthLoadTests
{
    private const int Rooms = 30_000;
    private const int Clients = 6;

    [TestCase("memory")]
    [TestCase("sqlite")]
    public async Task A_second_round_of_new_rooms_after_the_first_expired_costs_no_more_memory(string store)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(560));
        await using var host = await StreamHost.StartAsync(store, "rooms", ct, [.. RoomChurn.HostFlags, "--stream-ttl", "10s", "--log-level", "Warning"]);
        var beforeFirst = HostMemory.ResidentMegabytes(host.Host.Pid);
        var watch = Stopwatch.StartNew();
        await RoomChurn.RunAsync(host.Port, "a", Rooms, Clients, ct);
        var firstRound = watch.Elapsed;
        var afterFirst = HostMemory.ResidentMegabytes(host.Host.Pid);

        await host.WaitForStreamsAsync(0, ct);
        Assert.That(await host.StreamRowsOnceWrittenAsync(TimeSpan.FromSeconds(60), ct), Is.Zero, "the file holds none of the expired rooms");
        await RoomChurn.RunAsync(host.Port, "b", Rooms, Clients, ct);
        var afterSecond = HostMemory.ResidentMegabytes(host.Host.Pid);

        TestContext.Out.WriteLine($"{store}: {Rooms} rooms in {firstRound.TotalSeconds:0.0} s; RSS {beforeFirst:0.0} MB before, {afterFirst:0.0} MB after the first round, {afterSecond:0.0} MB after the second");
        // Kept for ever, the second round's rooms would cost what the first round's did (about 2 KiB
        // each); measured against the first round of the same run, so a loaded machine's slower
        // collections do not decide the outcome.
        Assert.That(afterSecond - afterFirst, Is.LessThanOrEqualTo((afterFirst - beforeFirst) / 2),
            "the second round grew RSS by more than half of what the first round did");
    }

    [Test]
    public async Task Ten_clients_filling_new_rooms_with_the_largest_messages_leave_memory_bounded()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(200));
        await using var host = await StreamHost.StartAsync("memory", "rooms", ct, "--log-level", "Warning");
        var message = new string('m', 65_000);
        var samples = new List<double>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(TimeSpan.FromSeconds(60));
        var load = Task.WhenAll(Enumerable.Range(0, 10).Select(c => FillRoomsAsync(host.Port, c, message, stop.Token, ct)));
        while (!load.IsCompleted)
        {
            samples.Add(HostMemory.ResidentMegabytes(host.Host.Pid));
            await Task.WhenAny(load, Task.Delay(1000, ct));
        }
        await load;
        samples.Add(HostMemory.ResidentMegabytes(host.Host.Pid));

        TestContext.Out.WriteLine($"RSS every second (MB): {string.Join(' ', samples.Select(s => s.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))}");
        Assert.That(samples.Max(), Is.LessThan(500), "RSS stayed under 500 MB");
        var lastThird = samples.Skip(samples.Count * 2 / 3).ToList();
        var middleThird = samples.Skip(samples.Count / 3).Take(samples.Count / 3).ToList();
        Assert.That(lastThird.Max(), Is.LessThan(middleThird.Max() + 50), "RSS levelled off instead of climbing");
    }

    /// <summary>Each second: a new room, 18 messages of 65,000 bytes, leave; until <paramref name="stop"/>.</summary>
    private static async Task FillRoomsAsync(int port, int c, string message, CancellationToken stop, CancellationToken ct)
    {
        await using var client = await TypedClient.ConnectAsync(port, $"/websocket/big{c}", ct);
        for (var round = 0; !stop.IsCancellationRequested; round++)
        {
            var next = Task.Delay(1000, CancellationToken.None);
            var room = $"big{c}x{round}";
            await client.JoinedAsync(room, ct);
            for (var i = 0; i < 18; i++)
            {
                await client.SendJsonAsync(new { type = "message", room, msg = message }, ct);
            }
            // Each message comes back to its sender: the last echo means all were taken.
            await client.ReceiveEventAsync("message", e => e.GetProperty("room").GetString() == room && e.Offset() == 18, ct);
            await client.LeftAsync(room, ct);
            await next;
        }
    }
}
