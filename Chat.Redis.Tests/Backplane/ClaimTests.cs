using Fleck.Chat.Protocol;
using Fleck.Chat.Redis.Tests.Support;
using Fleck.Chat.Scaling;
using StackExchange.Redis;

namespace Fleck.Chat.Redis.Tests.Backplane;

/// <summary>Nickname claims and presence, on backplanes without chat servers around them.</summary>
[CancelAfter(60_000)]
public sealed class ClaimTests : SharedRedis
{
    [Test]
    public async Task Presence_lists_thousands_of_members_of_two_nodes_and_follows_releases()
    {
        var ct = TestTimeouts.Token();
        var options = new RedisBackplaneOptions { Prefix = ChatCluster.NewPrefix() };
        await using var first = await StartAsync(options);
        await using var second = await StartAsync(options);

        var claims = await Task.WhenAll(Enumerable.Range(0, 5000).Select(i => (i % 2 == 0 ? first : second).Backplane.Presence.TryClaimNicknameAsync($"user{i}", ct).AsTask()));
        Assert.That(claims, Is.All.True);
        Assert.That(await first.Backplane.Presence.GetNicknamesAsync(ct), Has.Count.EqualTo(5000));
        Assert.That(await second.Backplane.Presence.IsOnlineAsync("USER4999", ct), Is.True);

        for (var i = 0; i < 100; i++)
        {
            await second.Backplane.Presence.ReleaseNicknameAsync($"user{(2 * i) + 1}");
        }

        var online = await first.Backplane.Presence.GetNicknamesAsync(ct);
        Assert.That(online, Has.Count.EqualTo(4900));
        Assert.That(online, Does.Not.Contain("user1"));
        Assert.That(await first.Backplane.Presence.IsOnlineAsync("user1", ct), Is.False);
        Assert.That(await first.Backplane.Presence.TryClaimNicknameAsync("User1", ct), Is.True);
    }

    [Test]
    public async Task Claims_outlive_their_time_to_live_while_their_node_refreshes_them()
    {
        var ct = TestTimeouts.Token();
        var options = new RedisBackplaneOptions { Prefix = ChatCluster.NewPrefix(), ClaimTimeToLive = TimeSpan.FromSeconds(3), RefreshInterval = TimeSpan.FromSeconds(1) };
        await using var events = await KeyEvents.WatchAsync(Redis, options.Prefix);
        await using var holder = await StartAsync(options);
        await using var other = await StartAsync(options);
        // More than one refresh batch, so every batch is exercised.
        var names = Enumerable.Range(0, 1200).Select(i => $"member{i}").ToArray();
        foreach (var batch in names.Chunk(200))
        {
            Assert.That(await Task.WhenAll(batch.Select(n => holder.Backplane.Presence.TryClaimNicknameAsync(n, ct).AsTask())), Is.All.True);
        }

        // Time is the thing under test. The marker is a key nobody refreshes that lives twice as long
        // as a claim set before it: the first key of this chat to expire must be the marker, not a
        // claim or a heartbeat, which outlive it only if they are refreshed.
        await events.Database.StringSetAsync(options.Prefix + "marker", "", options.ClaimTimeToLive * 2);
        var firstExpired = await events.NextAsync(e => e.Event == "expired", ct);

        Assert.That(firstExpired.Key, Is.EqualTo("marker"));
        Assert.That(await other.Backplane.Presence.GetNicknamesAsync(ct), Has.Count.EqualTo(names.Length));
        Assert.That(await other.Backplane.Presence.TryClaimNicknameAsync("member0", ct), Is.False);
        Assert.That(await other.Backplane.Presence.TryClaimNicknameAsync("MEMBER1199", ct), Is.False);
    }

    [TestCase("Ärger", "äRGER")]
    [TestCase("\u00B5", "\u039C")] // micro sign and Greek capital mu: equal ignoring case, but their lower-case forms differ
    [TestCase("Ωmega", "ωMEGA")]
    [TestCase("victim", "ｖｉｃｔｉｍ")] // fullwidth letters: the same name by its NFKC key
    [TestCase("Straße", "STRASSE")] // sharp s folds to ss
    public async Task Nicknames_equal_ignoring_case_cannot_both_be_claimed(string taken, string attempt)
    {
        var ct = TestTimeouts.Token();
        Assert.That(Nickname.Comparer.Equals(taken, attempt), Is.True, "the chat's own comparer holds them equal");
        var options = new RedisBackplaneOptions { Prefix = ChatCluster.NewPrefix() };
        await using var first = await StartAsync(options);
        await using var second = await StartAsync(options);

        Assert.That(await first.Backplane.Presence.TryClaimNicknameAsync(taken, ct), Is.True);
        Assert.That(await second.Backplane.Presence.TryClaimNicknameAsync(attempt, ct), Is.False);
        Assert.That(await first.Backplane.Presence.TryClaimNicknameAsync(attempt, ct), Is.False, "nor twice on one node");
    }

    [Test]
    public async Task A_member_who_left_while_redis_was_out_of_reach_is_unlisted_once_it_is_back()
    {
        var ct = TestTimeouts.Token();
        var options = new RedisBackplaneOptions { Prefix = ChatCluster.NewPrefix() };
        await using var events = await KeyEvents.WatchAsync(Redis, options.Prefix);
        await using var relay = new TcpRelay(Redis.Port);
        await using var cutOff = await StartAsync(options, relay.Configuration);
        await using var other = await StartAsync(options);
        Assert.That(await cutOff.Backplane.Presence.TryClaimNicknameAsync("alice", ct), Is.True);
        Assert.That(await cutOff.Backplane.Presence.TryClaimNicknameAsync("bob", ct), Is.True);

        relay.Sever();
        await cutOff.Backplane.Presence.ReleaseNicknameAsync("alice");
        await Assert.ThrowsAsync<BackplaneUnavailableException>(async () => await cutOff.Backplane.Presence.TryClaimNicknameAsync("carol", ct));
        relay.Heal();

        // The node retries the release on its own when it reconnects: wait for Redis to see it.
        await events.NextAsync(e => e.Key == "nick:alice" && e.Event == "del", ct);
        Assert.That(await other.Backplane.Presence.GetNicknamesAsync(ct), Is.EquivalentTo(new[] { "bob" }));
        Assert.That(await other.Backplane.Presence.TryClaimNicknameAsync("alice", ct), Is.True);
        Assert.That(await other.Backplane.Presence.TryClaimNicknameAsync("carol", ct), Is.True, "the claim that failed during the outage left nothing behind");
    }

    private async Task<Started> StartAsync(RedisBackplaneOptions options, string? configuration = null)
    {
        var redis = await ConnectionMultiplexer.ConnectAsync(RedisConnectionSettings.Parse(configuration ?? Redis.Configuration));
        var backplane = new RedisBackplane(redis, options);
        await ((IChatBackplane)backplane).ConnectAsync(new RecordingNode(), TestTimeouts.Token());
        return new Started(backplane, redis);
    }

    private sealed record Started(RedisBackplane Backplane, ConnectionMultiplexer Redis) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Backplane.DisposeAsync();
            await Redis.DisposeAsync();
        }
    }
}
