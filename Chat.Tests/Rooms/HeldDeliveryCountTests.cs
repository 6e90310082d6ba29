using Fleck.Chat.Modes;
using Fleck.Chat.Tests.Modes.Support;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Rooms;

/// <summary>
/// A room message that arrives while a member is still being welcomed into the room is held for it
/// and sent after the welcome; the server's delivery count includes that copy like any other.
/// </summary>
[CancelAfter(30_000)]
public sealed class HeldDeliveryCountTests
{
    [Test]
    public async Task A_message_held_for_a_joining_member_is_counted_when_it_is_released()
    {
        var ct = TestTimeouts.Token();
        var backplane = new GatedHistoryBackplane();
        await using var chat = await ChatFixture.StartAsync(new RoomsMode(), new ChatServerOptions { Backplane = backplane });
        var alice = await chat.JoinAsync("alice", ct);
        var bob = await chat.JoinAsync("bob", ct);
        await alice.JoinedAsync("lobby", ct);

        // Bob's welcome stops after the room was read, so what the room carries now is held for him.
        backplane.AfterRead.Close();
        await bob.JoinRoomAsync("lobby", ct);
        await backplane.AfterRead.Reached.WaitAsync(ct);
        await alice.SayAsync("lobby", "during", ct);
        await alice.ReceiveRoomEventAsync("message", "lobby", ct);
        var before = await SettledDeliveriesAsync(chat, ct);
        backplane.AfterRead.Open();
        // Everything either client gets from here on is a delivery, but for bob's welcome, which is
        // sent to him alone and not counted as the room's traffic.
        var toBob = await bob.ReceiveEventsUntilAsync(e => e.Type() == "message" && e.Str("msg") == "during", ct);
        var toAlice = await alice.ReceiveEventsUntilAsync(e => e.Type() == "join" && e.Str("user") == "bob", ct);
        var after = await SettledDeliveriesAsync(chat, ct);
        await Task.Delay(200, ct);
        var received = toBob.Count(e => e.Type() is not ("joined" or "history")) + toAlice.Count + bob.Drain().Count + alice.Drain().Count;

        Assert.That(toBob.Any(e => e.Type() == "joined"), Is.True);
        Assert.That(after - before, Is.EqualTo(received), "every copy sent is counted, the one released to bob included");
    }

    /// <summary>The delivery count once it has stopped moving: it is added to after the sends a client may already have read.</summary>
    private static async Task<long> SettledDeliveriesAsync(ChatFixture chat, CancellationToken ct)
    {
        var last = chat.Server.GetStatistics().MessagesDelivered;
        while (true)
        {
            await Task.Delay(200, ct);
            var now = chat.Server.GetStatistics().MessagesDelivered;
            if (now == last)
            {
                return now;
            }
            last = now;
        }
    }
}
