using System.Diagnostics;
using Fleck.Chat.Redis.Tests.Support;
using Fleck.Chat.Tests.Streams;

namespace Fleck.Chat.Redis.Tests.Processes;

/// <summary>
/// Rooms created as fast as possible through a host on redis-server: once their time to live passed,
/// Redis holds no key of them (the key count is back where it was) and a second round costs the host
/// no more memory than the first.
/// </summary>
[NonParallelizable]
[CancelAfter(600_000)]
public sealed class StreamGrowthAcrossHostsLoadTests
{
    private const int Rooms = 30_000;
    private const int Clients = 6;

    [Test]
    public async Task A_second_round_of_new_rooms_after_the_first_expired_leaves_redis_and_the_host_where_they_were()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(560));
        await using var redis = await RedisServer.StartAsync();
        await using var admin = await redis.ConnectAdminAsync();
        var server = admin.GetServer(redis.Configuration);
        await using var host = await HostProcess.StartReadyAsync(ct,
            [.. HostProcess.OnLoopback("rooms"), "--rate", "0", "--redis", redis.Configuration, .. RoomChurn.HostFlags, "--stream-ttl", "10s", "--log-level", "Warning"]);
        var before = await server.DatabaseSizeAsync();

        var watch = Stopwatch.StartNew();
        await RoomChurn.RunAsync(host.WebSocketPort, "a", Rooms, Clients, ct);
        var firstRound = watch.Elapsed;
        var afterFirst = HostMemory.ResidentMegabytes(host.Pid);
        var keysAfterFirst = await server.DatabaseSizeAsync();
        // Keys expire on Redis's clock: watched, not waited for.
        while (await server.DatabaseSizeAsync() != before)
        {
            await Task.Delay(200, ct);
        }
        await RoomChurn.RunAsync(host.WebSocketPort, "b", Rooms, Clients, ct);
        var afterSecond = HostMemory.ResidentMegabytes(host.Pid);

        TestContext.Out.WriteLine($"redis: {Rooms} rooms in {firstRound.TotalSeconds:0.0} s; keys {before} before, {keysAfterFirst} after the first round; host RSS {afterFirst:0.0} MB after the first round, {afterSecond:0.0} MB after the second");
        // Rooms of the round's first seconds may have expired already: only that keys were made is certain.
        Assert.That(keysAfterFirst, Is.GreaterThan(before));
        Assert.That(afterSecond - afterFirst, Is.LessThanOrEqualTo(15));
    }
}
