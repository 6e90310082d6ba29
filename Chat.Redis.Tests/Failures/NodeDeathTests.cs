using System.Diagnostics;
using System.Text.Json;
using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Redis.Tests.Support;

namespace Fleck.Chat.Redis.Tests.Failures;

/// <summary>
/// A node that dies without a word (simulated in process: its Redis connection is cut at once, so
/// it neither releases nor sweeps itself nor heartbeats again). A separate-process SIGKILL test
/// belongs with the host's --redis flag.
/// </summary>
[CancelAfter(90_000)]
public sealed class NodeDeathTests : SharedRedis
{
    [Test]
    public async Task Members_of_a_dead_node_leave_for_the_others_and_their_nicknames_come_free()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new NickBroadcastMode(), 3, ChatCluster.Quick());
        var bob = await cluster[1].JoinAsync("bob", ct);
        var carol = await cluster[2].JoinAsync("carol", ct);
        await cluster[0].JoinAsync("alice", ct);
        await cluster[0].JoinAsync("Zoe", ct);
        await bob.ReceiveEventAsync("join", ct);
        await bob.ReceiveEventAsync("join", ct);

        await cluster[0].CrashAsync();

        var leavesAtBob = new[] { await bob.ReceiveEventAsync("leave", ct), await bob.ReceiveEventAsync("leave", ct) };
        var leavesAtCarol = new[] { await carol.ReceiveEventAsync("leave", ct), await carol.ReceiveEventAsync("leave", ct) };
        Assert.That(leavesAtBob.Select(e => e.GetProperty("user").GetString()), Is.EquivalentTo(new[] { "alice", "Zoe" }));
        Assert.That(leavesAtCarol.Select(e => e.GetProperty("user").GetString()), Is.EquivalentTo(new[] { "alice", "Zoe" }));

        var newAlice = await cluster[1].ConnectAsync("/websocket/ALICE", ct);
        var users = await newAlice.ReceiveEventAsync("users", ct);
        Assert.That(users.GetProperty("users").EnumerateArray().Select(u => u.GetString()), Is.EquivalentTo(new[] { "ALICE", "bob", "carol" }));
    }

    [Test]
    public async Task Each_surviving_member_hears_of_a_dead_node_once()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(40));
        await using var cluster = await ChatCluster.StartAsync(Redis, new PrivateMode(), 3, ChatCluster.Quick());
        var bob = await cluster[1].JoinAsync("bob", ct);
        var carol = await cluster[2].JoinAsync("carol", ct);
        await cluster[0].JoinAsync("alice", ct);
        await bob.ReceiveEventAsync("join", ct);

        await cluster[0].CrashAsync();
        await bob.ReceiveEventAsync("leave", ct);
        await carol.ReceiveEventAsync("leave", ct);
        // Both survivors sweep on their own timers; only one may win. Nothing announces that the
        // other's sweep found nothing, but each sweep ends a cycle that starts with a heartbeat: a
        // survivor seen writing two heartbeats from now on has run a whole sweep since the leave.
        await using (var events = await KeyEvents.WatchAsync(Redis, cluster.Options.Prefix))
        {
            await HeartbeatsAsync(events, 2, [cluster[1].Backplane.NodeId, cluster[2].Backplane.NodeId], ct);
        }
        // Markers on the broadcast channel the leaves came on, one to each survivor from the other
        // node: a second leave sent before them would reach the member before them.
        await cluster[2].JoinAsync("dave", ct);
        await cluster[1].JoinAsync("erin", ct);
        var atBob = await bob.ReceiveEventsUntilAsync(e => IsJoinOf(e, "dave"), ct);
        var atCarol = await carol.ReceiveEventsUntilAsync(e => IsJoinOf(e, "erin"), ct);

        Assert.That(atBob.Select(Type), Has.None.EqualTo("leave"));
        Assert.That(atCarol.Select(Type), Has.None.EqualTo("leave"));
    }

    [Test]
    public async Task With_default_timings_a_dead_node_is_noticed_within_30_seconds()
    {
        var ct = TestTimeouts.Token(TestTimeouts.Recovery + TimeSpan.FromSeconds(10));
        await using var cluster = await ChatCluster.StartAsync(Redis, new PrivateMode(), 2);
        var bob = await cluster[1].JoinAsync("bob", ct);
        await cluster[0].JoinAsync("alice", ct);
        await bob.ReceiveEventAsync("join", ct);

        var clock = Stopwatch.StartNew();
        await cluster[0].CrashAsync();
        var leave = await bob.ReceiveEventAsync("leave", ct);
        var noticedAfter = clock.Elapsed;
        await bob.SendJsonAsync(new { msg = "are you there?", to_client = "alice" }, ct);
        var error = await bob.ReceiveEventAsync("error", ct);

        Assert.That(leave.GetProperty("user").GetString(), Is.EqualTo("alice"));
        Assert.That(noticedAfter, Is.LessThan(TestTimeouts.Recovery));
        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.OfflineTarget));
    }

    [Test]
    public async Task A_node_that_stops_gracefully_frees_its_nicknames_at_once()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new NickBroadcastMode(), 2);
        var bob = await cluster[1].JoinAsync("bob", ct);
        await cluster[0].JoinAsync("alice", ct);
        await bob.ReceiveEventAsync("join", ct);

        await cluster[0].DisposeAsync();
        var leave = await bob.ReceiveEventAsync("leave", ct);
        var again = await cluster[1].ConnectAsync("/websocket/alice", ct);
        var users = await again.ReceiveEventAsync("users", ct);

        Assert.That(leave.GetProperty("user").GetString(), Is.EqualTo("alice"));
        Assert.That(users.GetProperty("users").EnumerateArray().Select(u => u.GetString()), Is.EquivalentTo(new[] { "alice", "bob" }));
    }

    private static string? Type(JsonElement e) => e.GetProperty("type").GetString();

    private static bool IsJoinOf(JsonElement e, string user) => Type(e) == "join" && e.GetProperty("user").GetString() == user;

    /// <summary>Waits until every node in <paramref name="nodeIds"/> has renewed its heartbeat <paramref name="count"/> times.</summary>
    private static async Task HeartbeatsAsync(KeyEvents events, int count, string[] nodeIds, CancellationToken ct)
    {
        var seen = nodeIds.ToDictionary(id => "alive:" + id, _ => 0);
        while (seen.Values.Any(n => n < count))
        {
            var e = await events.NextAsync(e => e.Event == "set" && seen.ContainsKey(e.Key), ct);
            seen[e.Key]++;
        }
    }
}
