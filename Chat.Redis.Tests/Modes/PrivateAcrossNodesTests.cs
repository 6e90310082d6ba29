using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Redis.Tests.Support;

namespace Fleck.Chat.Redis.Tests.Modes;

[CancelAfter(60_000)]
public sealed class PrivateAcrossNodesTests : SharedRedis
{
    [Test]
    public async Task Private_message_is_routed_to_the_targets_node_and_reaches_only_the_target()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new PrivateMode(), 3);
        var alice = await cluster[0].JoinAsync("alice", ct);
        var bob = await cluster[1].JoinAsync("bob", ct);
        var bobsNeighbour = await cluster[1].JoinAsync("dave", ct);
        var carol = await cluster[2].JoinAsync("carol", ct);

        await alice.SendJsonAsync(new { name = "carol", msg = "psst", to_client = "bob" }, ct);
        var received = await bob.ReceiveEventAsync("private", ct);
        // Markers through the same routes as the first message: each member's next private message
        // must be its marker. Alice's error for an offline target queues behind any echo to her.
        await alice.SendJsonAsync(new { msg = "marker", to_client = "dave" }, ct);
        await alice.SendJsonAsync(new { msg = "marker", to_client = "carol" }, ct);
        await alice.SendJsonAsync(new { msg = "marker", to_client = "bob" }, ct);
        await alice.SendJsonAsync(new { msg = "marker", to_client = "nobody" }, ct);
        var daveMarker = await bobsNeighbour.ReceiveEventAsync("private", ct);
        var carolMarker = await carol.ReceiveEventAsync("private", ct);
        var bobMarker = await bob.ReceiveEventAsync("private", ct);
        var atAlice = await alice.ReceiveEventsUntilAsync(e => e.GetProperty("type").GetString() == "error", ct);

        Assert.That(received.GetProperty("name").GetString(), Is.EqualTo("alice"));
        Assert.That(received.GetProperty("to_client").GetString(), Is.EqualTo("bob"));
        Assert.That(received.GetProperty("msg").GetString(), Is.EqualTo("psst"));
        Assert.That(daveMarker.GetProperty("msg").GetString(), Is.EqualTo("marker"));
        Assert.That(carolMarker.GetProperty("msg").GetString(), Is.EqualTo("marker"));
        Assert.That(bobMarker.GetProperty("msg").GetString(), Is.EqualTo("marker"), "bob got his message once");
        Assert.That(atAlice.Select(e => e.GetProperty("type").GetString()), Has.None.EqualTo("private"), "the sender gets no echo");
        Assert.That(atAlice[^1].GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.OfflineTarget));
    }

    [Test]
    public async Task Target_on_another_node_is_matched_case_insensitively()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new PrivateMode(), 2);
        var alice = await cluster[0].JoinAsync("alice", ct);
        var bob = await cluster[1].JoinAsync("Bob", ct);

        await alice.SendJsonAsync(new { msg = "hi", to_client = "BOB" }, ct);

        Assert.That((await bob.ReceiveEventAsync("private", ct)).GetProperty("msg").GetString(), Is.EqualTo("hi"));
    }

    [Test]
    public async Task Offline_target_gets_the_sender_an_error_with_several_nodes()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new PrivateMode(), 2);
        var alice = await cluster[0].JoinAsync("alice", ct);
        var bob = await cluster[1].JoinAsync("bob", ct);

        await alice.SendJsonAsync(new { msg = "anyone?", to_client = "nobody" }, ct);
        var error = await alice.ReceiveEventAsync("error", ct);
        await alice.SendJsonAsync(new { msg = "you there", to_client = "bob" }, ct);

        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.OfflineTarget));
        Assert.That((await bob.ReceiveEventAsync("private", ct)).GetProperty("msg").GetString(), Is.EqualTo("you there"));
    }

    [Test]
    public async Task A_target_that_left_its_node_makes_the_next_message_an_offline_error()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new PrivateMode(), 2);
        var alice = await cluster[0].JoinAsync("alice", ct);
        var bob = await cluster[1].JoinAsync("bob", ct);
        await alice.SendJsonAsync(new { msg = "first", to_client = "bob" }, ct);
        await bob.ReceiveEventAsync("private", ct);

        await bob.CloseAsync(ct);
        await alice.ReceiveEventAsync("leave", ct);
        await alice.SendJsonAsync(new { msg = "second", to_client = "bob" }, ct);

        Assert.That((await alice.ReceiveEventAsync("error", ct)).GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.OfflineTarget));
    }

    [Test]
    public async Task A_target_that_moved_to_another_node_is_found_there()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new PrivateMode(), 3);
        var alice = await cluster[0].JoinAsync("alice", ct);
        var bob = await cluster[1].JoinAsync("bob", ct);
        await alice.SendJsonAsync(new { msg = "on node 1", to_client = "bob" }, ct);
        await bob.ReceiveEventAsync("private", ct);

        await bob.CloseAsync(ct);
        await alice.ReceiveEventAsync("leave", ct);
        var movedBob = await cluster[2].JoinAsync("bob", ct);
        await alice.SendJsonAsync(new { msg = "on node 2", to_client = "bob" }, ct);

        Assert.That((await movedBob.ReceiveEventAsync("private", ct)).GetProperty("msg").GetString(), Is.EqualTo("on node 2"));
    }

    [Test]
    public async Task Members_of_both_nodes_are_listed_to_a_new_member()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new PrivateMode(), 2);
        await cluster[0].JoinAsync("alice", ct);
        var bob = await cluster[1].ConnectAsync("/websocket/bob", ct);

        var users = await bob.ReceiveEventAsync("users", ct);

        Assert.That(users.GetProperty("users").EnumerateArray().Select(u => u.GetString()), Is.EquivalentTo(new[] { "alice", "bob" }));
    }
}
