using System.Net;
using Fleck.Chat.Redis.Tests.Support;
using Fleck.Chat.Tests.Identity;

namespace Fleck.Chat.Redis.Tests.Processes;

/// <summary>
/// The server API's rooms variants across host processes: two hosts in rooms mode started with
/// <c>--redis</c> (one redis-server), <c>--jwt-secret</c> (so one user can be on both) and
/// <c>--api-key</c>. The tests share the cluster and run one after another, each with rooms and
/// users of its own.
/// </summary>
[CancelAfter(90_000)]
public sealed class HostApiRoomsClusterTests
{
    private const string Key = "rooms-cluster-key-3e8b";
    private HostCluster? _cluster;

    private HostProcess A => _cluster!.Hosts[0];

    private HostProcess B => _cluster!.Hosts[1];

    [OneTimeSetUp]
    public async Task StartClusterAsync() =>
        _cluster = await HostCluster.StartAsync(2, "rooms", new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token, "--jwt-secret", Tokens.Secret, "--api-key", Key);

    [OneTimeTearDown]
    public async Task StopClusterAsync() => await (_cluster?.DisposeAsync() ?? ValueTask.CompletedTask);

    /// <summary>Signs in as <paramref name="name"/> on <paramref name="node"/> and joins <paramref name="room"/>, waiting for <c>joined</c>.</summary>
    private static async Task<TypedClient> InRoomAsync(HostProcess node, string name, string room, CancellationToken ct)
    {
        var client = await TypedClient.ConnectSignedInAsync(node.WebSocketPort, Tokens.For(name), ct);
        try
        {
            await client.JoinedAsync(room, ct);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    [Test]
    public async Task Publish_through_one_node_reaches_the_rooms_members_on_the_other_in_the_rooms_one_offset_sequence()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var alice = await InRoomAsync(A, "seq-alice", "seq-room", ct);
        await using var bob = await InRoomAsync(B, "seq-bob", "seq-room", ct);
        await using var carol = await InRoomAsync(B, "seq-carol", "seq-other", ct);
        using var api = new ApiClient(A.HttpPort, Key);

        await alice.SayAsync("seq-room", "one", ct);
        // Numbered before the publish: alice's own copy comes back once the stream has it.
        var aliceBefore = await alice.ReceiveUntilMessageAsync("one", ct);
        var answer = await api.PostJsonAsync("/api/publish", new { msg = "two, from the server", room = "SEQ-room" }, ct);
        await bob.SayAsync("seq-room", "three", ct);
        var atBob = Messages(await bob.ReceiveUntilMessageAsync("three", ct));
        var atAlice = Messages([.. aliceBefore, .. await alice.ReceiveUntilMessageAsync("three", ct)]);
        var marker = await api.PostJsonAsync("/api/publish", new { msg = "other marker", room = "seq-other" }, ct);
        var atCarol = await carol.ReceiveUntilMessageAsync("other marker", ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.Body);
            Assert.That(answer.Body, Is.EqualTo("{\"ok\":true,\"offset\":2}"));
            var expected = new[]
            {
                ("seq-room", "seq-alice", "one", 1L),
                ("seq-room", "server", "two, from the server", 2L),
                ("seq-room", "seq-bob", "three", 3L),
            };
            Assert.That(atBob, Is.EqualTo(expected), "on B: a member on A, the server through A's API, a member on B, in one stream");
            Assert.That(atAlice, Is.EqualTo(expected), "A sees the same stream");
            Assert.That(marker.Status, Is.EqualTo(HttpStatusCode.OK), marker.Body);
            Assert.That(atCarol.Select(e => e.Str("msg")), Is.EqualTo(new[] { "other marker" }), "carol, in another room on B, got nothing before her room's marker");
        }
    }

    [Test]
    public async Task Presence_of_a_room_through_one_node_counts_the_members_of_both_each_user_once()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var aliceOnA = await InRoomAsync(A, "presence-alice", "presence-room", ct);
        await using var aliceOnB = await InRoomAsync(B, "presence-alice", "presence-room", ct);
        await using var amy = await InRoomAsync(A, "presence-amy", "presence-room", ct);
        await using var bob = await InRoomAsync(B, "presence-bob", "presence-room", ct);
        await using var carol = await InRoomAsync(A, "presence-carol", "presence-elsewhere", ct);
        using var api = new ApiClient(B.HttpPort, Key);

        var answer = await api.GetAsync("/api/presence?room=presence-room", ct);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.Body);
        Assert.That(answer.Json?.GetProperty("users").EnumerateArray().Select(u => u.GetString()),
            Is.EqualTo(new[] { "presence-alice", "presence-amy", "presence-bob" }));
    }

    private static (string?, string?, string?, long)[] Messages(List<System.Text.Json.JsonElement> events) =>
        [.. events.Where(e => e.Type() == "message").Select(e => (e.Str("room"), e.Str("name"), e.Str("msg"), e.GetProperty("offset").GetInt64()))];
}
