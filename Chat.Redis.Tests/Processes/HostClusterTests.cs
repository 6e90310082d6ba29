using System.Globalization;
using Fleck.Chat.Redis.Tests.Support;

namespace Fleck.Chat.Redis.Tests.Processes;

/// <summary>
/// Separate Chat.Host processes started exactly as an operator would
/// (<c>--mode m --host 127.0.0.1 --port p --http-port q --redis 127.0.0.1:r</c>) share one chat.
/// </summary>
[CancelAfter(120_000)]
public sealed class HostClusterTests
{
    private static async Task<HostProcess> StartNodeAsync(string mode, RedisServer redis, CancellationToken ct, int port = 0)
    {
        var host = HostProcess.Start("--mode", mode, "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--http-port", "0", "--redis", redis.Configuration);
        await host.WaitForBannerAsync(ct);
        return host;
    }

    private static Task<TypedClient> JoinAsync(HostProcess node, string nick, CancellationToken ct) =>
        TypedClient.ConnectAsync(node.WebSocketPort, "/websocket/" + nick, ct);

    [Test]
    public async Task Two_host_processes_share_messages_presence_history_and_nicknames()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        await using var redis = await RedisServer.StartAsync();
        await using var one = await StartNodeAsync("nick-broadcast", redis, ct);
        await using var two = await StartNodeAsync("nick-broadcast", redis, ct);

        await using var alice = await JoinAsync(one, "alice", ct);
        await alice.ReceiveEventAsync("users", ct);
        await alice.SendTextAsync("said before bob came", ct);
        await alice.ReceiveEventAsync("message", ct);
        await using var bob = await JoinAsync(two, "bob", ct);
        var users = await bob.ReceiveEventAsync("users", ct);
        var history = await bob.ReceiveEventAsync("history", ct);
        var join = await alice.ReceiveEventAsync("join", ct);
        await bob.SendTextAsync("hello from node two", ct);
        var atAlice = await alice.ReceiveEventAsync("message", ct);
        var atBob = await bob.ReceiveEventAsync("message", ct);
        await using var impostor = await JoinAsync(two, "ALICE", ct);
        var refused = await impostor.ReceiveEventAsync("error", ct);

        Assert.That(users.GetProperty("users").EnumerateArray().Select(u => u.GetString()), Is.EquivalentTo(new[] { "alice", "bob" }));
        Assert.That(history.GetProperty("msg").GetString(), Is.EqualTo("said before bob came"));
        Assert.That(join.GetProperty("user").GetString(), Is.EqualTo("bob"));
        Assert.That(atAlice.GetProperty("name").GetString(), Is.EqualTo("bob"));
        Assert.That(atBob.GetProperty("msg").GetString(), Is.EqualTo("hello from node two"));
        Assert.That(refused.GetProperty("code").GetString(), Is.EqualTo("nickname_taken"));
        // The marker comes from the other host through Redis, after bob's own message went there: a
        // copy of bob's message coming back to his host would reach him before it.
        await alice.SendTextAsync("marker", ct);
        var next = await bob.ReceiveEventAsync("message", ct);
        Assert.That(next.GetProperty("msg").GetString(), Is.EqualTo("marker"), "the sender got its own message exactly once");
    }

    [Test]
    public async Task A_private_message_is_routed_to_the_host_that_holds_the_target()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        await using var redis = await RedisServer.StartAsync();
        await using var one = await StartNodeAsync("private", redis, ct);
        await using var two = await StartNodeAsync("private", redis, ct);
        await using var alice = await JoinAsync(one, "alice", ct);
        await alice.ReceiveEventAsync("users", ct);
        await using var bob = await JoinAsync(two, "bob", ct);
        await bob.ReceiveEventAsync("users", ct);
        await using var carol = await JoinAsync(one, "carol", ct);
        await carol.ReceiveEventAsync("users", ct);

        await alice.SendJsonAsync(new { msg = "across hosts", to_client = "bob" }, ct);
        var received = await bob.ReceiveEventAsync("private", ct);
        await alice.SendJsonAsync(new { msg = "anyone?", to_client = "nobody" }, ct);
        var error = await alice.ReceiveEventAsync("error", ct);
        // Markers to carol by both routes a stray copy could take: from her own host, and through Redis.
        await alice.SendJsonAsync(new { msg = "marker from alice", to_client = "carol" }, ct);
        await bob.SendJsonAsync(new { msg = "marker from bob", to_client = "carol" }, ct);
        var atCarol = new[] { await carol.ReceiveEventAsync("private", ct), await carol.ReceiveEventAsync("private", ct) };

        Assert.That(received.GetProperty("name").GetString(), Is.EqualTo("alice"));
        Assert.That(received.GetProperty("msg").GetString(), Is.EqualTo("across hosts"));
        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo("offline_target"));
        Assert.That(atCarol.Select(e => e.GetProperty("msg").GetString()), Is.EquivalentTo(new[] { "marker from alice", "marker from bob" }), "carol got nothing meant for bob");
    }

    [Test]
    public async Task A_killed_host_frees_its_nicknames_and_the_others_see_its_members_leave_within_30_seconds()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        await using var redis = await RedisServer.StartAsync();
        await using var survivor = await StartNodeAsync("nick-broadcast", redis, ct);
        var doomed = await StartNodeAsync("nick-broadcast", redis, ct);
        await using var alice = await JoinAsync(survivor, "alice", ct);
        await alice.ReceiveEventAsync("users", ct);
        var bob = await JoinAsync(doomed, "bob", ct);
        await alice.ReceiveEventAsync("join", ct);

        doomed.KillHard();
        var leave = await alice.ReceiveEventAsync("leave", TestTimeouts.Token(TestTimeouts.Recovery));
        await using var bobAgain = await JoinAsync(survivor, "bob", ct);
        var users = await bobAgain.ReceiveEventAsync("users", ct);

        Assert.That(leave.GetProperty("user").GetString(), Is.EqualTo("bob"));
        Assert.That(users.GetProperty("you").GetString(), Is.EqualTo("bob"));
        await bob.DisposeAsync();
        await doomed.DisposeAsync();
    }

    [Test]
    public async Task Hosts_survive_a_redis_outage_refuse_chat_messages_meanwhile_and_reconnect_when_it_returns()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(110));
        await using var redis = await RedisServer.StartAsync();
        await using var one = await StartNodeAsync("nick-broadcast", redis, ct);
        await using var two = await StartNodeAsync("nick-broadcast", redis, ct);
        await using var alice = await JoinAsync(one, "alice", ct);
        await alice.ReceiveEventAsync("users", ct);
        await using var carol = await JoinAsync(one, "carol", ct);
        await carol.ReceiveEventAsync("users", ct);
        await using var bob = await JoinAsync(two, "bob", ct);
        await bob.ReceiveEventAsync("users", ct);

        redis.Kill();
        // Nobody can number it: the sender is told, and nobody gets it.
        await alice.SendTextAsync("said while redis is down", ct);
        var refused = await alice.ReceiveEventAsync("error", ct);
        await redis.RestartAsync();

        // Cross-node traffic resumes by itself: keep saying something until bob hears it.
        var resumed = await Retry.SendUntilArrivedAsync(i => alice.SendTextAsync($"after the outage {i}", ct),
            bob.ReceiveEventAsync("message", ct), TestTimeouts.Recovery, ct);
        var firstAtCarol = await carol.ReceiveEventAsync("message", ct);

        Assert.That(refused.GetProperty("code").GetString(), Is.EqualTo("unavailable"));
        Assert.That(firstAtCarol.GetProperty("msg").GetString(), Does.StartWith("after the outage"), "what was refused reached nobody");
        Assert.That(resumed.GetProperty("msg").GetString(), Does.StartWith("after the outage"), "cross-node chat resumed within 30 s of Redis returning");
        Assert.That(one.Process.HasExited, Is.False);
        Assert.That(two.Process.HasExited, Is.False);
    }
}
