using Fleck.Chat.Modes;
using Fleck.Chat.Tests.Modes.Support;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Modes;

/// <summary>
/// What a welcome may hold back for a joiner is what its connection may queue, in nick-broadcast's
/// chat and in a room alike: one hold, one limit, the connection's own.
/// </summary>
[CancelAfter(30_000)]
public sealed class JoinHoldLimitTests
{
    private const int QueueLimit = 16;

    [Test]
    public async Task A_nick_broadcast_login_that_stalls_is_closed_with_1013_once_more_piles_up_than_its_connection_may_queue()
    {
        var ct = TestTimeouts.Token();
        var backplane = new GatedHistoryBackplane();
        await using var room = await RoomHarness.StartAsync(new NickBroadcastMode(), backplane);
        var (alice, aliceConnection) = await room.JoinAsync("alice", ct);

        backplane.BeforeRead.Close();
        var (_, bob, login) = room.BeginJoin("bob", ct, QueueLimit);
        await backplane.BeforeRead.Reached.WaitAsync(ct);
        for (var i = 0; i < QueueLimit; i++)
        {
            await room.SayAsync(alice, $"m{i}", ct);
        }
        var closedAtTheLimit = bob.CloseCode;
        await room.SayAsync(alice, "one too many", ct);
        backplane.BeforeRead.Open();
        await login.WaitAsync(ct);

        Assert.That(closedAtTheLimit, Is.Null, "as many as the connection may queue are held");
        Assert.That(bob.CloseCode, Is.EqualTo(WebSocketCloseCode.TryAgainLater), "one more, and the joiner is asked to come back");
        Assert.That(bob.Summary.Count(s => s.StartsWith("message:", StringComparison.Ordinal)), Is.Zero, "nothing held is sent to a member that is closing");
        Assert.That(aliceConnection.Summary.Count(s => s.StartsWith("message:", StringComparison.Ordinal)), Is.EqualTo(QueueLimit + 1), "the others lose nothing");
    }

    [Test]
    public async Task A_room_join_that_stalls_is_closed_with_1013_once_more_piles_up_than_its_connection_may_queue()
    {
        var ct = TestTimeouts.Token();
        var backplane = new GatedHistoryBackplane();
        await using var room = await RoomHarness.StartAsync(new RoomsMode(), backplane);
        var (alice, aliceConnection) = await room.JoinAsync("alice", ct);
        await room.SayAsync(alice, """{"type":"join","room":"lobby"}""", ct);
        var (bobMember, bob) = await room.JoinAsync("bob", ct, QueueLimit);

        backplane.BeforeRead.Close();
        var joining = room.SayAsync(bobMember, """{"type":"join","room":"lobby"}""", ct);
        await backplane.BeforeRead.Reached.WaitAsync(ct);
        for (var i = 0; i < QueueLimit; i++)
        {
            await room.SayAsync(alice, $$"""{"type":"message","room":"lobby","msg":"m{{i}}"}""", ct);
        }
        var closedAtTheLimit = bob.CloseCode;
        await room.SayAsync(alice, """{"type":"message","room":"lobby","msg":"one too many"}""", ct);
        backplane.BeforeRead.Open();
        await joining.WaitAsync(ct);

        Assert.That(closedAtTheLimit, Is.Null, "as many as the connection may queue are held");
        Assert.That(bob.CloseCode, Is.EqualTo(WebSocketCloseCode.TryAgainLater), "one more, and the joiner is asked to come back");
        Assert.That(aliceConnection.Summary.Count(s => s.StartsWith("message:", StringComparison.Ordinal)), Is.EqualTo(QueueLimit + 1), "the others lose nothing");
    }
}
