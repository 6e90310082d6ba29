using Fleck.Chat.Redis.Tests.Support;
using Fleck.Chat.Tests.Streams;
using StackExchange.Redis;

namespace Fleck.Chat.Redis.Tests.Processes;

/// <summary>
/// SPEC Part 3 §"Bounded streams" with host processes on one redis-server: stream keys expire a time
/// to live after their last use (a room someone is in is kept alive), retain-bytes trims in Redis, and
/// <c>--max-streams</c> counts the streams of every host.
/// </summary>
[CancelAfter(120_000)]
public sealed class BoundedStreamsAcrossHostsTests
{
    private static Task<HostProcess> StartNodeAsync(RedisServer redis, string mode, CancellationToken ct, params string[] extra) =>
        HostProcess.StartReadyAsync(ct, [.. HostProcess.OnLoopback(mode), "--rate", "0", "--redis", redis.Configuration, .. extra]);

    private static async Task WaitForKeyCountAsync(IServer server, long count, CancellationToken ct)
    {
        // Keys expire on Redis's clock: watched, not waited for.
        while (await server.DatabaseSizeAsync() != count)
        {
            await Task.Delay(100, ct);
        }
    }

    [Test]
    public async Task A_room_left_for_its_time_to_live_leaves_no_key_and_starts_over_under_a_new_epoch()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        await using var redis = await RedisServer.StartAsync();
        await using var admin = await redis.ConnectAdminAsync();
        var server = admin.GetServer(redis.Configuration);
        await using var host = await StartNodeAsync(redis, "rooms", ct, "--stream-ttl", "2s");
        await using var alice = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/alice", ct);
        await alice.SendJsonAsync(new { type = "rooms" }, ct);
        await alice.ReceiveEventAsync("rooms", ct);
        var before = await server.DatabaseSizeAsync();

        var first = await alice.JoinedAsync("lobby", ct);
        await alice.SayAndGetOffsetAsync("lobby", "one", ct);
        var two = await alice.SayAndGetOffsetAsync("lobby", "two", ct);
        await alice.LeftAsync("lobby", ct);
        Assert.That(server.Keys(pattern: "*lobby*").Count(), Is.Positive);
        await WaitForKeyCountAsync(server, before, ct);
        Assert.That(server.Keys(pattern: "*lobby*"), Is.Empty);
        Assert.That(server.Keys(pattern: "*streams"), Is.Empty, "the count of streams is pruned too");

        await StreamScenarios.AssertStartsOverAsync(alice, "lobby", two, first.Epoch(), ct);
    }

    [Test]
    public async Task Nick_broadcasts_chat_left_for_its_time_to_live_leaves_no_key_and_starts_over()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        await using var redis = await RedisServer.StartAsync();
        await using var admin = await redis.ConnectAdminAsync();
        var server = admin.GetServer(redis.Configuration);
        await using var host = await StartNodeAsync(redis, "nick-broadcast", ct, "--stream-ttl", "2s");
        string epoch;
        await using (var alice = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/alice", ct))
        {
            epoch = (await alice.ReceiveEventAsync("users", ct)).Epoch();
            await alice.SendJsonAsync(new { msg = "hello" }, ct);
            await alice.ReceiveEventAsync("message", ct);
        }

        while (server.Keys(pattern: "*~chat*").Any())
        {
            await Task.Delay(100, ct);
        }
        await using var back = await TypedClient.ConnectAsync(host.WebSocketPort, $"/websocket/alice?since=1&epoch={epoch}", ct);
        var users = await back.ReceiveEventAsync("users", ct);
        var recovered = await back.ReceiveEventAsync("recovered", ct);
        Assert.That(users.Offset(), Is.Zero);
        Assert.That(users.Epoch(), Is.Not.EqualTo(epoch));
        Assert.That(recovered.GetProperty("recovered").GetBoolean(), Is.False);
    }

    [Test]
    public async Task A_room_someone_stays_in_outlives_its_time_to_live()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        await using var redis = await RedisServer.StartAsync();
        await using var admin = await redis.ConnectAdminAsync();
        var server = admin.GetServer(redis.Configuration);
        await using var host = await StartNodeAsync(redis, "rooms", ct, "--stream-ttl", "1s");
        await using var alice = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/alice", ct);
        var first = await alice.JoinedAsync("lobby", ct);
        await alice.SayAndGetOffsetAsync("lobby", "one", ct);
        // A room left after the first one's last message: once its keys are gone, the first's time has passed too.
        await alice.JoinedAsync("aside", ct);
        await alice.LeftAsync("aside", ct);
        while (server.Keys(pattern: "*aside*").Any())
        {
            await Task.Delay(100, ct);
        }

        await StreamScenarios.AssertStillKeptAsync(host.WebSocketPort, "lobby", first.Epoch(), ct);
    }

    [Test]
    public async Task Retain_bytes_drops_the_oldest_messages_in_redis()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        await using var redis = await RedisServer.StartAsync();
        await using var host = await StartNodeAsync(redis, "rooms", ct, "--retain-bytes", "100");
        await StreamScenarios.RetainBytesDropsTheOldestAsync(host.WebSocketPort, ct);
    }

    [Test]
    public async Task Max_streams_counts_the_streams_of_every_host()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        await using var redis = await RedisServer.StartAsync();
        await using var one = await StartNodeAsync(redis, "rooms", ct, "--max-streams", "3");
        await using var two = await StartNodeAsync(redis, "rooms", ct, "--max-streams", "3");
        await using var alice = await TypedClient.ConnectAsync(one.WebSocketPort, "/websocket/alice", ct);
        await using var bob = await TypedClient.ConnectAsync(two.WebSocketPort, "/websocket/bob", ct);
        await alice.JoinedAsync("a", ct);
        await alice.JoinedAsync("b", ct);
        await bob.JoinedAsync("c", ct);

        var refusedOnTwo = await bob.TryJoinAsync("d", ct);
        var refusedOnOne = await alice.TryJoinAsync("d", ct);
        Assert.That(refusedOnTwo.GetProperty("code").GetString(), Is.EqualTo("too_many_streams"));
        Assert.That(refusedOnOne.GetProperty("code").GetString(), Is.EqualTo("too_many_streams"));
        Assert.That((await bob.TryJoinAsync("a", ct)).GetProperty("type").GetString(), Is.EqualTo("joined"), "an existing room on the other host can be joined");
        Assert.That(await bob.SayAndGetOffsetAsync("a", "still here", ct), Is.EqualTo(1));
    }
}
