using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Recovery;

/// <summary>Resuming a room with <c>{"type":"join","room":R,"since":N,"epoch":E}</c> against the real host.</summary>
[CancelAfter(60_000)]
public sealed class RoomsResumeHostTests
{
    private static async Task<HostProcess> StartAsync(CancellationToken ct)
    {
        var host = HostProcess.Start("--mode", "rooms", "--host", "127.0.0.1", "--port", "0", "--http-port", "0", "--rate", "0");
        await host.WaitForBannerAsync(ct);
        return host;
    }

    private static async Task<TypedClient> LoginAsync(HostProcess host, string nickname, CancellationToken ct)
    {
        var client = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/" + nickname, ct);
        await client.ReceiveEventAsync("users", ct);
        return client;
    }

    [Test]
    public async Task A_member_rejoining_a_room_with_since_and_epoch_gets_what_it_missed_then_recovered_then_live()
    {
        var ct = TestTimeouts.Token();
        await using var host = await StartAsync(ct);
        await using var alice = await LoginAsync(host, "alice", ct);
        var joined = await alice.JoinedAsync("lobby", ct);
        var epoch = joined.Str("epoch");
        for (var i = 1; i <= 3; i++)
        {
            await alice.SayAsync("lobby", $"m{i}", ct);
            await alice.ReceiveRoomEventAsync("message", "lobby", ct);
        }

        await using var bob = await LoginAsync(host, "bob", ct);
        await bob.SendJsonAsync(new { type = "join", room = "lobby", since = 1, epoch }, ct);
        var rejoined = await bob.ReceiveEventAsync("joined", ct);
        var welcome = await bob.ReceiveEventsUntilAsync(e => e.Type() == "recovered", ct);
        await alice.SayAsync("lobby", "live", ct);
        var live = await bob.ReceiveRoomEventAsync("message", "lobby", ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(joined.GetProperty("offset").GetInt64(), Is.Zero);
            Assert.That(rejoined.Str("epoch"), Is.EqualTo(epoch));
            Assert.That(rejoined.GetProperty("offset").GetInt64(), Is.EqualTo(3));
            Assert.That(welcome.Select(RecoveryHost.Summary), Is.EqualTo(new[] { "history:2:m2", "history:3:m3", "recovered:true:2" }));
            Assert.That(welcome.Select(e => e.Str("room")), Is.All.EqualTo("lobby"));
            Assert.That(RecoveryHost.Summary(live), Is.EqualTo("message:4:live"));
        }
    }

    [Test]
    public async Task A_member_rejoining_with_an_epoch_the_room_never_had_gets_the_recent_history_and_recovered_false()
    {
        var ct = TestTimeouts.Token();
        await using var host = await StartAsync(ct);
        await using var alice = await LoginAsync(host, "alice", ct);
        await alice.JoinedAsync("lobby", ct);
        await alice.SayAsync("lobby", "m1", ct);
        await alice.ReceiveRoomEventAsync("message", "lobby", ct);

        await using var bob = await LoginAsync(host, "bob", ct);
        await bob.SendJsonAsync(new { type = "join", room = "lobby", since = 0, epoch = "not-this-rooms-epoch" }, ct);
        await bob.ReceiveEventAsync("joined", ct);
        var welcome = await bob.ReceiveEventsUntilAsync(e => e.Type() == "recovered", ct);

        Assert.That(welcome.Select(RecoveryHost.Summary), Is.EqualTo(new[] { "history:1:m1", "recovered:false" }));
    }
}
