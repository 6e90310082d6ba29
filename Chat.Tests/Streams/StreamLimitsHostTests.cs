using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Streams;

/// <summary>
/// <c>--retain</c>, <c>--retain-bytes</c>, <c>--max-streams</c> and <c>--history-memory</c> against the
/// host process, in memory and with <c>--store</c>.
/// </summary>
[CancelAfter(90_000)]
[Parallelizable(ParallelScope.Self)]
public sealed class StreamLimitsHostTests
{
    [TestCase("memory")]
    [TestCase("sqlite")]
    public async Task Recovery_covers_what_retain_keeps_not_what_history_replays(string store)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var host = await StreamHost.StartAsync(store, "rooms", ct, "--history", "1", "--retain", "3");
        await using var alice = await TypedClient.ConnectAsync(host.Port, "/websocket/alice", ct);
        var epoch = (await alice.JoinedAsync("lobby", ct)).Epoch();
        for (var i = 1; i <= 5; i++)
        {
            await alice.SayAndGetOffsetAsync("lobby", $"m{i}", ct);
        }

        await using var bob = await TypedClient.ConnectAsync(host.Port, "/websocket/bob", ct);
        var (_, kept, recovered) = await bob.ResumeAsync("lobby", 2, epoch, ct);
        Assert.That(kept, Is.EqualTo(new[] { 3L, 4L, 5L }), "three kept, though only one is replayed to a joiner");
        Assert.That(recovered.GetProperty("recovered").GetBoolean(), Is.True);
        await using var carol = await TypedClient.ConnectAsync(host.Port, "/websocket/carol", ct);
        var (_, recent, notRecovered) = await carol.ResumeAsync("lobby", 1, epoch, ct);
        Assert.That(notRecovered.GetProperty("recovered").GetBoolean(), Is.False, "offset 2 is no longer kept");
        Assert.That(recent, Is.EqualTo(new[] { 5L }), "the usual recent history: --history 1");
    }

    [TestCase("memory")]
    [TestCase("sqlite")]
    public async Task Retain_bytes_drops_the_oldest_messages_first(string store)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var host = await StreamHost.StartAsync(store, "rooms", ct, "--retain-bytes", "100");
        await StreamScenarios.RetainBytesDropsTheOldestAsync(host.Port, ct);
    }

    [TestCase("memory")]
    [TestCase("sqlite")]
    public async Task A_join_that_would_create_a_stream_past_max_streams_is_refused_and_the_rest_goes_on(string store)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var host = await StreamHost.StartAsync(store, "rooms", ct, "--max-streams", "3");
        await using var alice = await TypedClient.ConnectAsync(host.Port, "/websocket/alice", ct);
        foreach (var room in new[] { "a", "b", "c" })
        {
            await alice.JoinedAsync(room, ct);
        }

        var refused = await alice.TryJoinAsync("d", ct);
        Assert.That(refused.GetProperty("type").GetString(), Is.EqualTo("error"));
        Assert.That(refused.GetProperty("code").GetString(), Is.EqualTo("too_many_streams"));
        Assert.That(await alice.SayAndGetOffsetAsync("a", "still here", ct), Is.EqualTo(1), "the connection stays open and existing rooms work");
        await using var bob = await TypedClient.ConnectAsync(host.Port, "/websocket/bob", ct);
        Assert.That((await bob.TryJoinAsync("b", ct)).GetProperty("type").GetString(), Is.EqualTo("joined"), "an existing room can still be joined");
        Assert.That((await bob.TryJoinAsync("e", ct)).GetProperty("code").GetString(), Is.EqualTo("too_many_streams"));
    }

    [Test]
    public async Task Past_history_memory_the_least_recently_used_streams_are_forgotten_and_the_newest_kept()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var host = await StreamHost.StartAsync("memory", "rooms", ct, "--history-memory", "1000");
        await using var alice = await TypedClient.ConnectAsync(host.Port, "/websocket/alice", ct);
        var epochs = new Dictionary<string, string>();
        foreach (var room in new[] { "r1", "r2", "r3" })
        {
            epochs[room] = (await alice.JoinedAsync(room, ct)).Epoch();
            await alice.SayAndGetOffsetAsync(room, new string('x', 500), ct);
            await alice.LeftAsync(room, ct);
        }

        var (newest, newestKept, newestRecovered) = await alice.ResumeAsync("r3", 0, epochs["r3"], ct);
        Assert.That(newest.Epoch(), Is.EqualTo(epochs["r3"]));
        Assert.That(newestKept, Is.EqualTo(new[] { 1L }));
        Assert.That(newestRecovered.GetProperty("recovered").GetBoolean(), Is.True);
        var (oldest, oldestKept, oldestRecovered) = await alice.ResumeAsync("r1", 0, epochs["r1"], ct);
        Assert.That(oldest.Epoch(), Is.Not.EqualTo(epochs["r1"]), "forgotten: a new epoch");
        Assert.That(oldest.Offset(), Is.Zero);
        Assert.That(oldestKept, Is.Empty);
        Assert.That(oldestRecovered.GetProperty("recovered").GetBoolean(), Is.False);
    }
}
