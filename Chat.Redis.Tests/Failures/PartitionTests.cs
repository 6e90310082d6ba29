using System.Text.Json;
using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Redis.Tests.Support;

namespace Fleck.Chat.Redis.Tests.Failures;

/// <summary>
/// One node is cut off from Redis (through a relay) while Redis stays up for the others, longer
/// than its heartbeat lives: the others take it for dead, then it comes back.
/// </summary>
[CancelAfter(90_000)]
public sealed class PartitionTests : SharedRedis
{
    [Test]
    public async Task A_node_cut_off_is_taken_for_dead_and_its_members_are_announced_again_when_it_returns()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(60));
        await using var relay = new TcpRelay(Redis.Port);
        await using var cluster = await ChatCluster.StartAsync(Redis, new NickBroadcastMode(), 1, ChatCluster.Quick());
        var cutOff = await cluster.AddNodeAsync(relay.Configuration);
        var bob = await cluster[0].JoinAsync("bob", ct);
        var alice = await cutOff.JoinAsync("alice", ct);
        await bob.ReceiveEventAsync("join", ct);

        relay.Sever();
        var leave = await bob.ReceiveEventAsync("leave", ct);
        await alice.SendTextAsync("said while cut off", ct);
        // The cut-off node cannot number it: refused, not sent to its own members unnumbered.
        Assert.That((await alice.ReceiveEventAsync("error", ct)).GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.Unavailable));
        relay.Heal();
        var join = await bob.ReceiveEventAsync("join", ct);
        await alice.SendTextAsync("back", ct);
        var message = await bob.ReceiveEventAsync("message", ct);

        Assert.That(leave.GetProperty("user").GetString(), Is.EqualTo("alice"));
        Assert.That(join.GetProperty("user").GetString(), Is.EqualTo("alice"));
        Assert.That(message.GetProperty("msg").GetString(), Is.EqualTo("back"), "nothing said while cut off arrives late");
        var newcomer = await cluster[0].ConnectAsync("/websocket/ALICE", ct);
        Assert.That((await newcomer.ReceiveEventAsync("error", ct)).GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.NicknameTaken));
    }

    [Test]
    public async Task On_a_nickname_conflict_after_a_split_the_existing_claim_wins_and_the_returning_member_is_closed()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(60));
        await using var relay = new TcpRelay(Redis.Port);
        await using var cluster = await ChatCluster.StartAsync(Redis, new NickBroadcastMode(), 1, ChatCluster.Quick());
        var cutOff = await cluster.AddNodeAsync(relay.Configuration);
        var bob = await cluster[0].JoinAsync("bob", ct);
        var oldAlice = await cutOff.JoinAsync("alice", ct);
        var carol = await cutOff.JoinAsync("carol", ct);
        await bob.ReceiveEventAsync("join", ct);
        await bob.ReceiveEventAsync("join", ct);

        relay.Sever();
        await bob.ReceiveEventAsync("leave", ct);
        await bob.ReceiveEventAsync("leave", ct);
        var newAlice = await cluster[0].JoinAsync("Alice", ct);
        Assert.That((await bob.ReceiveEventAsync("join", ct)).GetProperty("user").GetString(), Is.EqualTo("Alice"));
        relay.Heal();

        var error = await oldAlice.ReceiveEventAsync("error", ct);
        await oldAlice.Closed.Task.WaitAsync(ct);
        var atBob = await bob.ReceiveEventsUntilAsync(e => Type(e) == "join", ct);
        // Once the returning node has finished with the closed connection (only carol's is left), any
        // leave it sent went to carol at once and onto the channel bob hears: the new alice's
        // message, sent after, is the marker that would come after it at both.
        await cutOff.WaitForConnectionsAsync(1, ct);
        await newAlice.SendTextAsync("I am the alice now", ct);
        atBob.AddRange(await bob.ReceiveEventsUntilAsync(e => Type(e) == "message", ct));
        var atCarol = await carol.ReceiveEventsUntilAsync(e => Type(e) == "message", ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.NicknameTaken));
            Assert.That((int?)oldAlice.CloseStatus, Is.EqualTo(ChatErrorCode.CloseNicknameTaken));
            Assert.That(atBob.Select(Describe), Is.EqualTo(new[] { "join carol", "message Alice" }),
                "only the member that kept its name is announced again, and the closed one leaves no leave event: its name is still online");
            Assert.That(atCarol.Select(Type), Has.None.EqualTo("leave"), "nor at the closed member's own node");
            Assert.That(atCarol[^1].GetProperty("name").GetString(), Is.EqualTo("Alice"));
        }
        Assert.That(cutOff.Server.GetStatistics().Members, Is.EqualTo(1));
    }

    private static string? Type(JsonElement e) => e.GetProperty("type").GetString();

    private static string Describe(JsonElement e) =>
        $"{Type(e)} {(Type(e) == "message" ? e.GetProperty("name").GetString() : e.GetProperty("user").GetString())}";
}
