using System.Net;
using Fleck.Chat.Redis.Tests.Support;
using Fleck.Chat.Tests.Identity;
using Fleck.Chat.Tests.Streams;
using StackExchange.Redis;

namespace Fleck.Chat.Redis.Tests.Processes;

/// <summary>
/// SPEC Part 3 §"Older history on demand" and §"Typing and read state" with two host processes on one
/// redis-server: pages read from Redis alike on either host, typing and read events cross hosts, the
/// typing throttle and the read markers are shared by every host, and markers expire with their stream.
/// </summary>
[CancelAfter(120_000)]
public sealed class PagesTypingReadAcrossHostsTests
{
    private const string ApiKey = "pages-cluster-key-6b1e";

    [Test]
    public async Task Pages_are_the_same_on_either_host_and_a_page_of_a_room_that_does_not_exist_creates_no_key()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        await using var cluster = await HostCluster.StartAsync(2, "rooms", ct, "--rate", "0", "--api-key", ApiKey, "--history", "2", "--retain", "4");
        var (a, b) = (cluster.Hosts[0], cluster.Hosts[1]);
        await using var alice = await TypedClient.ConnectAsync(a.WebSocketPort, "/websocket/alice", ct);
        await using var bob = await TypedClient.ConnectAsync(b.WebSocketPort, "/websocket/bob", ct);
        await alice.JoinedAsync("lobby", ct);
        await bob.JoinedAsync("lobby", ct);
        for (var i = 1; i <= 6; i++)
        {
            await alice.SayAndGetOffsetAsync("lobby", "m" + i, ct);
        }

        var onA = await alice.PageAsync(new { room = "lobby", limit = 2 }, ct);
        var onB = await bob.PageAsync(new { room = "lobby", limit = 2 }, ct);
        var older = await bob.PageAsync(new { room = "lobby", before = 5, limit = 10 }, ct);
        var none = await bob.PageAsync(new { room = "lobby", before = 3 }, ct);
        var bad = await bob.ErrorForAsync("""{"type":"history","room":"lobby","limit":101}""", ct);
        await using var admin = await cluster.Redis.ConnectAdminAsync();
        var server = admin.GetServer(cluster.Redis.Configuration);
        using var api = new ApiClient(b.HttpPort, ApiKey);
        var ghost = await api.GetAsync("/api/history?room=ghost", ct);
        var viaApi = await api.GetAsync("/api/history?room=lobby&before=6&limit=1", ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(onA.Offsets(), Is.EqualTo(new long[] { 5, 6 }));
            Assert.That(onA.More(), Is.True);
            Assert.That(onB.GetProperty("messages").GetRawText(), Is.EqualTo(onA.GetProperty("messages").GetRawText()));
            Assert.That(older.Offsets(), Is.EqualTo(new long[] { 3, 4 }), "what the stream keeps: the last 4");
            Assert.That(older.More(), Is.False);
            Assert.That(none.Offsets(), Is.Empty);
            Assert.That(bad.Str("code"), Is.EqualTo("invalid_request"));
            Assert.That(ghost.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ghost.Json!.Value.Offsets(), Is.Empty);
            Assert.That(viaApi.Json!.Value.Offsets(), Is.EqualTo(new long[] { 5 }));
            Assert.That(viaApi.Json!.Value.More(), Is.True);
            Assert.That(server.Keys(pattern: "*ghost*"), Is.Empty, "a page of a room that does not exist creates nothing");
        }
    }

    [Test]
    public async Task Typing_crosses_hosts_to_v3_connections_and_its_throttle_holds_across_hosts()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        await using var cluster = await HostCluster.StartAsync(2, "nick-broadcast", ct, "--rate", "0", "--jwt-secret", Tokens.Secret);
        var (a, b) = (cluster.Hosts[0], cluster.Hosts[1]);
        var (aliceOnA, _) = await StreamCommandsClient.SignInV3Async(a.WebSocketPort, "alice", ct);
        await using var _1 = aliceOnA;
        var (aliceOnB, _) = await StreamCommandsClient.SignInV3Async(b.WebSocketPort, "alice", ct);
        await using var _2 = aliceOnB;
        var (bobOnB, _) = await StreamCommandsClient.SignInV3Async(b.WebSocketPort, "bob", ct);
        await using var _3 = bobOnB;
        var (daveOnA, _) = await StreamCommandsClient.SignInV3Async(a.WebSocketPort, "dave", ct);
        await using var _4 = daveOnA;
        var (carolOnB, _) = await StreamCommandsClient.SignInV3Async(b.WebSocketPort, "carol", ct, v3: false);
        await using var _5 = carolOnB;

        await aliceOnA.SendJsonAsync(new { type = "typing" }, ct);
        var typing = await bobOnB.ReceiveEventAsync("typing", ct);
        // The same user and scope within 2 s, through the other host: dropped.
        await aliceOnB.SendJsonAsync(new { type = "typing" }, ct);
        await aliceOnB.SendJsonAsync(new { msg = "marker" }, ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(typing.Str("user"), Is.EqualTo("alice"));
            Assert.That(await bobOnB.TypesUntilAsync("marker", ct), Does.Not.Contain("typing"), "the second typing was throttled on the other host");
            Assert.That((await daveOnA.TypesUntilAsync("marker", ct)).Count(t => t == "typing"), Is.EqualTo(1));
            Assert.That(await carolOnB.TypesUntilAsync("marker", ct), Does.Not.Contain("typing"));
            Assert.That(await aliceOnB.TypesUntilAsync("marker", ct), Does.Not.Contain("typing"), "never to the sender's own connections, on any host");
        }
    }

    [Test]
    public async Task A_read_marker_is_shared_by_every_host_and_reaches_the_users_connections_on_the_other_host()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        await using var cluster = await HostCluster.StartAsync(2, "nick-broadcast", ct, "--rate", "0", "--jwt-secret", Tokens.Secret);
        var (a, b) = (cluster.Hosts[0], cluster.Hosts[1]);
        var (phone, _) = await StreamCommandsClient.SignInV3Async(a.WebSocketPort, "alice", ct);
        await using var _1 = phone;
        var (laptop, _) = await StreamCommandsClient.SignInV3Async(b.WebSocketPort, "alice", ct);
        await using var _2 = laptop;
        for (var i = 1; i <= 3; i++)
        {
            await phone.SayAsync("m" + i, ct);
        }

        await phone.SendJsonAsync(new { type = "read", offset = 2 }, ct);
        var moved = await laptop.ReceiveEventAsync("read", ct);
        await laptop.SendJsonAsync(new { type = "read", offset = 1 }, ct);
        await laptop.SendJsonAsync(new { type = "read", offset = 50 }, ct);
        var capped = await phone.ReceiveEventAsync("read", ct);
        await laptop.SendJsonAsync(new { msg = "marker" }, ct);
        var (tablet, users) = await StreamCommandsClient.SignInV3Async(b.WebSocketPort, "alice", ct);
        await using var _3 = tablet;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(moved.Offset(), Is.EqualTo(2));
            Assert.That(capped.Offset(), Is.EqualTo(3), "capped at the latest offset, kept in Redis for every host");
            Assert.That(await phone.TypesUntilAsync("marker", ct), Does.Not.Contain("read"), "a marker that does not move tells nobody");
            Assert.That(users.GetProperty("read").GetInt64(), Is.EqualTo(3));
        }
    }

    [Test]
    public async Task A_read_marker_expires_with_its_stream()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        await using var cluster = await HostCluster.StartAsync(2, "rooms", ct, "--rate", "0", "--stream-ttl", "2s");
        var (a, b) = (cluster.Hosts[0], cluster.Hosts[1]);
        await using var admin = await cluster.Redis.ConnectAdminAsync();
        var server = admin.GetServer(cluster.Redis.Configuration);
        await using (var alice = await TypedClient.ConnectAsync(a.WebSocketPort, "/websocket/alice?v=3", ct))
        {
            await alice.JoinedAsync("lobby", ct);
            await alice.SayAndGetOffsetAsync("lobby", "one", ct);
            await alice.SendJsonAsync(new { type = "read", room = "lobby", offset = 1 }, ct);
            await alice.LeftAsync("lobby", ct);
            var reads = server.Keys(pattern: "*lobby:reads").Single();
            Assert.That(await admin.GetDatabase().KeyTimeToLiveAsync(reads), Is.Not.Null, "the markers expire with the stream");
            await alice.CloseAsync(ct);
        }

        await using var onB = await TypedClient.ConnectAsync(b.WebSocketPort, "/websocket/alice?v=3", ct);
        while (server.Keys(pattern: "*lobby*").Any())
        {
            // Keys expire on Redis's clock: watched, not waited for.
            await Task.Delay(100, ct);
        }
        var joined = await onB.JoinedAsync("lobby", ct);
        Assert.That(joined.GetProperty("read").GetInt64(), Is.Zero);
        Assert.That(joined.Offset(), Is.Zero);
    }
}
