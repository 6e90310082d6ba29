using Fleck.Chat.Modes;
using Fleck.Chat.Redis.Tests.Support;
using Fleck.Chat.Tests.Rooms;
using StackExchange.Redis;

namespace Fleck.Chat.Redis.Tests.Modes;

[CancelAfter(120_000)]
public sealed class RoomsAcrossNodesTests : SharedRedis
{
    [Test]
    public async Task Room_message_reaches_its_members_on_both_nodes_once_with_one_numbering()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new RoomsMode(), 2);
        var alice = await cluster[0].JoinAsync("alice", ct);
        var bob = await cluster[1].JoinAsync("bob", ct);
        await alice.JoinedAsync("lobby", ct);
        var joined = await bob.JoinedAsync("lobby", ct);
        var join = await alice.ReceiveRoomEventAsync("join", "lobby", ct);

        await bob.SayAsync("lobby", "from node 1", ct);
        var first = (await alice.ReceiveEventAsync("message", ct), await bob.ReceiveEventAsync("message", ct));
        await alice.SayAsync("lobby", "from node 0", ct);
        var second = (await alice.ReceiveEventAsync("message", ct), await bob.ReceiveEventAsync("message", ct));
        await bob.SayAsync("lobby", "marker", ct);

        Assert.That(joined.GetProperty("users").EnumerateArray().Select(u => u.GetString()), Is.EqualTo(new[] { "alice", "bob" }));
        Assert.That(join.Str("user"), Is.EqualTo("bob"));
        foreach (var e in new[] { first.Item1, first.Item2 })
        {
            Assert.That((e.Str("name"), e.Str("msg"), e.GetProperty("offset").GetInt64()), Is.EqualTo(("bob", "from node 1", 1L)));
        }
        foreach (var e in new[] { second.Item1, second.Item2 })
        {
            Assert.That((e.Str("name"), e.Str("msg"), e.GetProperty("offset").GetInt64()), Is.EqualTo(("alice", "from node 0", 2L)));
        }
        var rest = await alice.ReceiveUntilMessageAsync("marker", ct);
        Assert.That(rest, Has.Count.EqualTo(1), "each message arrives once");
    }

    [Test]
    public async Task Presence_counts_and_leaves_are_shared_by_every_node()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new RoomsMode(), 2);
        var alice = await cluster[0].JoinAsync("alice", ct);
        var bob = await cluster[1].JoinAsync("bob", ct);
        var carol = await cluster[1].JoinAsync("carol", ct);
        await alice.JoinedAsync("lobby", ct);
        await bob.JoinedAsync("lobby", ct);
        await carol.JoinedAsync("kitchen", ct);

        await alice.SendJsonAsync(new { type = "rooms" }, ct);
        var rooms = await alice.ReceiveEventAsync("rooms", ct);
        await bob.CloseAsync(ct);
        var leave = await alice.ReceiveRoomEventAsync("leave", "lobby", ct);
        await carol.SendJsonAsync(new { type = "rooms" }, ct);
        var after = await carol.ReceiveEventAsync("rooms", ct);

        Assert.That(Counts(rooms), Is.EqualTo(new Dictionary<string, int> { ["kitchen"] = 1, ["lobby"] = 2 }));
        Assert.That(leave.Str("user"), Is.EqualTo("bob"));
        Assert.That(Counts(after), Is.EqualTo(new Dictionary<string, int> { ["kitchen"] = 1, ["lobby"] = 1 }));
    }

    [Test]
    public async Task History_written_through_one_node_is_replayed_to_a_joiner_on_the_other()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new RoomsMode(), 2, serverOptions: new ChatServerOptions { HistorySize = 2 });
        var alice = await cluster[0].JoinAsync("alice", ct);
        await alice.JoinedAsync("lobby", ct);
        foreach (var text in new[] { "one", "two", "three" })
        {
            await alice.SayAsync("lobby", text, ct);
        }
        await alice.ReceiveUntilMessageAsync("three", ct);
        var bob = await cluster[1].JoinAsync("bob", ct);

        var joined = await bob.JoinedAsync("lobby", ct);
        var history = new[] { await bob.ReceiveEventAsync(ct), await bob.ReceiveEventAsync(ct) };

        Assert.That(joined.GetProperty("offset").GetInt64(), Is.EqualTo(3));
        Assert.That(history.Select(e => (e.Type(), e.Str("msg"), e.GetProperty("offset").GetInt64())),
            Is.EqualTo(new[] { ("history", "two", 2L), ("history", "three", 3L) }));
    }

    [Test]
    public async Task A_node_with_no_member_in_a_room_receives_none_of_its_traffic()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new RoomsMode(), 2);
        var alice = await cluster[0].JoinAsync("alice", ct);
        var bob = await cluster[1].JoinAsync("bob", ct);
        await alice.JoinedAsync("lobby", ct);
        await bob.JoinedAsync("kitchen", ct);
        await using var admin = await Redis.ConnectAdminAsync();
        var channel = RedisChannel.Literal(cluster.Options.Prefix + "room:lobby");
        var subscribers = (long)(await admin.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", channel.ToString()))[1];
        var receivedBefore = cluster[1].Backplane.RoomMessagesReceived;

        for (var i = 0; i < 20; i++)
        {
            await alice.SayAsync("lobby", $"lobby {i}", ct);
        }
        await alice.ReceiveUntilMessageAsync("lobby 19", ct);
        await bob.SayAsync("kitchen", "marker", ct);
        await bob.ReceiveUntilMessageAsync("marker", ct);

        Assert.That(subscribers, Is.EqualTo(1), "only node 0 listens to the lobby");
        Assert.That(cluster[1].Backplane.RoomMessagesReceived - receivedBefore, Is.EqualTo(1), "node 1 got its kitchen marker and nothing of the lobby");
        Assert.That(cluster[1].Backplane.SubscribedRooms, Is.EquivalentTo(new[] { "kitchen" }));

        await bob.LeaveRoomAsync("kitchen", ct);
        await bob.ReceiveEventAsync("left", ct);
        Assert.That(cluster[1].Backplane.SubscribedRooms, Is.Empty, "the last member out unsubscribes the node");
    }

    [Test]
    public async Task Members_churning_across_two_nodes_see_exactly_the_messages_of_the_rooms_they_are_in()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        await using var cluster = await ChatCluster.StartAsync(Redis, new RoomsMode(), 2, serverOptions: new ChatServerOptions { MessagesPerSecond = 0, HistorySize = 5 });

        var (failures, checkedMessages) = await ChurnLoad.RunAsync((nickname, i, token) => cluster[i % 2].JoinAsync(nickname, token), ct);

        Assert.That(failures, Is.Empty);
        TestContext.Out.WriteLine($"{checkedMessages} messages checked");
        Assert.That(checkedMessages, Is.GreaterThan(0), "the churners must have been in rooms while messages flowed");
    }

    [Test]
    public async Task Members_of_a_dead_node_leave_its_rooms_for_everyone_else()
    {
        var ct = TestTimeouts.Token(TestTimeouts.Recovery);
        await using var cluster = await ChatCluster.StartAsync(Redis, new RoomsMode(), 2, ChatCluster.Quick());
        var alice = await cluster[0].JoinAsync("alice", ct);
        var bob = await cluster[1].JoinAsync("bob", ct);
        await alice.JoinedAsync("lobby", ct);
        await bob.JoinedAsync("lobby", ct);
        await bob.JoinedAsync("kitchen", ct);
        await alice.ReceiveRoomEventAsync("join", "lobby", ct);

        await cluster[1].CrashAsync();

        var leave = await alice.ReceiveRoomEventAsync("leave", "lobby", ct);
        await alice.SendJsonAsync(new { type = "rooms" }, ct);
        var rooms = await alice.ReceiveEventAsync("rooms", ct);
        var joinedAgain = await alice.JoinedAsync("kitchen", ct);

        Assert.That(leave.Str("user"), Is.EqualTo("bob"));
        Assert.That(Counts(rooms), Is.EqualTo(new Dictionary<string, int> { ["lobby"] = 1 }), "the dead node's kitchen membership is gone too");
        Assert.That(joinedAgain.GetProperty("users").EnumerateArray().Select(u => u.GetString()), Is.EqualTo(new[] { "alice" }));
    }

    private static Dictionary<string, int> Counts(System.Text.Json.JsonElement rooms) =>
        rooms.GetProperty("rooms").EnumerateArray().ToDictionary(r => r.Str("room")!, r => r.GetProperty("members").GetInt32());
}
