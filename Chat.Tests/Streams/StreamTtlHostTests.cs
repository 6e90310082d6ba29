using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Streams;

/// <summary>
/// <c>--stream-ttl</c> against the host process, in memory and with <c>--store</c>: a stream nobody is
/// in and nothing is written to is forgotten (history, offset, epoch, and its rows in the file), and
/// used again it starts over under a new epoch, so a client resuming from before gets recovered:false.
/// </summary>
[CancelAfter(90_000)]
[Parallelizable(ParallelScope.Self)]
public sealed class StreamTtlHostTests
{
    [TestCase("memory")]
    [TestCase("sqlite")]
    public async Task A_room_left_for_its_time_to_live_is_forgotten_and_starts_over_under_a_new_epoch(string store)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var host = await StreamHost.StartAsync(store, "rooms", ct, "--stream-ttl", "2s");
        await using var alice = await TypedClient.ConnectAsync(host.Port, "/websocket/alice", ct);
        var first = await alice.JoinedAsync("lobby", ct);
        await alice.SayAndGetOffsetAsync("lobby", "one", ct);
        var two = await alice.SayAndGetOffsetAsync("lobby", "two", ct);
        await alice.LeftAsync("lobby", ct);
        Assert.That(two, Is.EqualTo(2));

        await host.WaitForStreamsAsync(0, ct);
        Assert.That(await host.RowsOfOnceWrittenAsync("lobby", TimeSpan.FromSeconds(30), ct), Is.Zero, "the file keeps no row of the forgotten room");

        await StreamScenarios.AssertStartsOverAsync(alice, "lobby", two, first.Epoch(), ct);
    }

    [TestCase("memory")]
    [TestCase("sqlite")]
    public async Task A_room_someone_stays_in_outlives_its_time_to_live(string store)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var host = await StreamHost.StartAsync(store, "rooms", ct, "--stream-ttl", "1s");
        await using var alice = await TypedClient.ConnectAsync(host.Port, "/websocket/alice", ct);
        var first = await alice.JoinedAsync("lobby", ct);
        await alice.SayAndGetOffsetAsync("lobby", "one", ct);
        // A second room, left: once it is gone, the sweep has passed over the first well after its time.
        await alice.JoinedAsync("aside", ct);
        await alice.LeftAsync("aside", ct);
        await host.WaitForStreamsAsync(1, ct);
        await StreamScenarios.AssertStillKeptAsync(host.Port, "lobby", first.Epoch(), ct);
    }

    [TestCase("memory")]
    [TestCase("sqlite")]
    public async Task Nick_broadcasts_chat_left_for_its_time_to_live_starts_over_under_a_new_epoch(string store)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var host = await StreamHost.StartAsync(store, "nick-broadcast", ct, "--stream-ttl", "2s");
        string epoch;
        long offset;
        await using (var alice = await TypedClient.ConnectAsync(host.Port, "/websocket/alice", ct))
        {
            epoch = (await alice.ReceiveEventAsync("users", ct)).Epoch();
            await alice.SendJsonAsync(new { msg = "hello" }, ct);
            offset = (await alice.ReceiveEventAsync("message", ct)).Offset();
        }
        Assert.That(offset, Is.EqualTo(1));

        await host.WaitForStreamsAsync(0, ct);
        Assert.That(await host.RowsOfOnceWrittenAsync("~chat", TimeSpan.FromSeconds(30), ct), Is.Zero);

        await using var back = await TypedClient.ConnectAsync(host.Port, $"/websocket/alice?since={offset}&epoch={epoch}", ct);
        var users = await back.ReceiveEventAsync("users", ct);
        var recovered = await back.ReceiveEventAsync("recovered", ct);
        Assert.That(users.Offset(), Is.Zero);
        Assert.That(users.Epoch(), Is.Not.EqualTo(epoch));
        Assert.That(recovered.GetProperty("recovered").GetBoolean(), Is.False);
        await back.SendJsonAsync(new { msg = "again" }, ct);
        Assert.That((await back.ReceiveEventAsync("message", ct)).Offset(), Is.EqualTo(1));
    }
}
