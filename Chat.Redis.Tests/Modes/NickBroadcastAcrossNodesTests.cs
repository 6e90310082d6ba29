using System.Text.Json;
using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Redis.Tests.Support;

namespace Fleck.Chat.Redis.Tests.Modes;

[CancelAfter(60_000)]
public sealed class NickBroadcastAcrossNodesTests : SharedRedis
{
    [Test]
    public async Task Message_is_stamped_and_reaches_both_nodes_and_the_sender_once()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new NickBroadcastMode(), 2);
        var alice = await cluster[0].JoinAsync("alice", ct);
        var bob = await cluster[1].JoinAsync("bob", ct);
        await alice.ReceiveEventAsync("join", ct);

        await alice.SendJsonAsync(new { name = "bob", msg = "hi from node 0" }, ct);
        var atBob = await bob.ReceiveEventAsync("message", ct);
        await bob.SendTextAsync("hi back", ct);

        Assert.That(atBob.GetProperty("name").GetString(), Is.EqualTo("alice"));
        Assert.That(atBob.GetProperty("msg").GetString(), Is.EqualTo("hi from node 0"));
        // Bob's reply is the marker: a copy of alice's own message coming back through Redis would
        // reach node 0 before it, so it would be alice's second event.
        var own = await alice.ReceiveEventAsync(ct);
        var reply = await alice.ReceiveEventAsync(ct);
        Assert.That(own.GetProperty("msg").GetString(), Is.EqualTo("hi from node 0"));
        Assert.That(reply.GetProperty("msg").GetString(), Is.EqualTo("hi back"), "the sender sees its own message once");
        Assert.That(reply.GetProperty("name").GetString(), Is.EqualTo("bob"));
    }

    [Test]
    public async Task Users_join_and_leave_are_seen_across_three_nodes()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new NickBroadcastMode(), 3);
        var alice = await cluster[0].JoinAsync("alice", ct);
        var bob = await cluster[1].JoinAsync("bob", ct);
        await alice.ReceiveEventAsync("join", ct);

        var carol = await cluster[2].ConnectAsync("/websocket/carol", ct);
        var users = await carol.ReceiveEventAsync("users", ct);
        var joinAtAlice = await alice.ReceiveEventAsync("join", ct);
        var joinAtBob = await bob.ReceiveEventAsync("join", ct);

        Assert.That(Names(users), Is.EquivalentTo(new[] { "alice", "bob", "carol" }));
        Assert.That(joinAtAlice.GetProperty("user").GetString(), Is.EqualTo("carol"));
        Assert.That(joinAtBob.GetProperty("user").GetString(), Is.EqualTo("carol"));

        await bob.CloseAsync(ct);
        Assert.That((await alice.ReceiveEventAsync("leave", ct)).GetProperty("user").GetString(), Is.EqualTo("bob"));
        Assert.That((await carol.ReceiveEventAsync("leave", ct)).GetProperty("user").GetString(), Is.EqualTo("bob"));
        var dave = await cluster[0].ConnectAsync("/websocket/dave", ct);
        Assert.That(Names(await dave.ReceiveEventAsync("users", ct)), Is.EquivalentTo(new[] { "alice", "carol", "dave" }));
    }

    [Test]
    public async Task A_nickname_is_unique_across_nodes_whatever_its_case()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new NickBroadcastMode(), 2);
        var owner = await cluster[0].JoinAsync("Alice", ct);

        var intruder = await cluster[1].ConnectAsync("/websocket/aLICE", ct);
        var error = await intruder.ReceiveEventAsync("error", ct);
        await intruder.Closed.Task.WaitAsync(ct);

        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.NicknameTaken));
        Assert.That((int?)intruder.CloseStatus, Is.EqualTo(ChatErrorCode.CloseNicknameTaken));
        await owner.SendTextAsync("still mine", ct);
        Assert.That((await owner.ReceiveEventAsync("message", ct)).GetProperty("name").GetString(), Is.EqualTo("Alice"));
    }

    [Test]
    public async Task A_nickname_freed_on_one_node_can_be_taken_on_another_at_once()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new NickBroadcastMode(), 2);
        var watcher = await cluster[1].JoinAsync("watcher", ct);
        var first = await cluster[0].JoinAsync("erin", ct);
        await watcher.ReceiveEventAsync("join", ct);

        first.Abort();
        await watcher.ReceiveEventAsync("leave", ct);
        var again = await cluster[1].JoinAsync("ERIN", ct);
        await again.SendTextAsync("back, on the other node", ct);

        Assert.That((await watcher.ReceiveEventAsync("message", ct)).GetProperty("name").GetString(), Is.EqualTo("ERIN"));
    }

    [Test]
    public async Task Two_nodes_racing_for_one_nickname_admit_exactly_one()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new NickBroadcastMode(), 2);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => cluster[i % 2].ConnectAsync(i % 3 == 0 ? "/websocket/frank" : "/websocket/FRANK", ct)));
        var outcomes = await Task.WhenAll(attempts.Select(a => FirstOfAsync(a, ct)));

        Assert.That(outcomes.Count(type => type == "users"), Is.EqualTo(1));
        Assert.That(outcomes.Count(type => type == "error"), Is.EqualTo(5));
    }

    [Test]
    public async Task History_written_on_one_node_is_replayed_to_a_member_joining_another()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new NickBroadcastMode(), 2, serverOptions: new ChatServerOptions { HistorySize = 2 });
        var alice = await cluster[0].JoinAsync("alice", ct);
        foreach (var text in new[] { "one", "two", "three" })
        {
            await alice.SendTextAsync(text, ct);
            await alice.ReceiveEventAsync("message", ct);
        }

        var bob = await cluster[1].ConnectAsync("/websocket/bob", ct);
        await bob.ReceiveEventAsync("users", ct);
        // Skipping other events: a live copy of alice's last message may reach node 1 after bob joined.
        var first = await bob.ReceiveEventAsync("history", ct);
        var second = await bob.ReceiveEventAsync("history", ct);

        Assert.That(first.GetProperty("msg").GetString(), Is.EqualTo("two"));
        Assert.That(second.GetProperty("msg").GetString(), Is.EqualTo("three"));
        Assert.That(second.GetProperty("name").GetString(), Is.EqualTo("alice"));
    }

    private static IEnumerable<string?> Names(JsonElement users) => users.GetProperty("users").EnumerateArray().Select(u => u.GetString());

    private static async Task<string?> FirstOfAsync(TypedClient client, CancellationToken ct)
    {
        var e = await client.ReceiveEventAsync(ct);
        return e.GetProperty("type").GetString();
    }
}
