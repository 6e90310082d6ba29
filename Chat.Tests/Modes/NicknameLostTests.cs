using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Scaling;
using Fleck.Chat.Tests.Modes.Support;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Modes;

/// <summary>
/// After a split, the backplane reports that a local member's nickname was claimed elsewhere: the
/// member is closed, and since the name is still online (held by the other member) nobody is told
/// it left and its claim is not released.
/// </summary>
[CancelAfter(30_000)]
public sealed class NicknameLostTests
{
    [Test]
    public async Task A_member_that_lost_its_nickname_leaves_without_a_leave_event_even_when_its_close_completes_at_once()
    {
        var ct = TestTimeouts.Token();
        await using var room = await RoomHarness.StartAsync(new NickBroadcastMode(), new InMemoryBackplane());
        var (alice, aliceConnection) = await room.JoinAsync("alice", ct);
        var (bob, bobConnection) = await room.JoinAsync("bob", ct);

        ((IBackplaneNode)room.Room).NicknameLost("alice");
        await room.SayAsync(bob, "marker", ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(bobConnection.Summary.Skip(1), Is.EqualTo(new[] { "message:marker" }), "no leave event for a name that is still online");
            Assert.That(aliceConnection.Events.Select(e => e.TryGetProperty("code", out var code) ? code.GetString() : null), Does.Contain(ChatErrorCode.NicknameTaken));
            Assert.That(aliceConnection.CloseCode, Is.EqualTo(ChatErrorCode.CloseNicknameTaken));
            Assert.That(alice.HasJoined, Is.False);
            Assert.That(room.Room.LocalMemberCount, Is.EqualTo(1));
            Assert.That(await room.Backplane.Presence.IsOnlineAsync("alice", ct), Is.True, "the claim is not released: it is no longer this member's");
        }
    }
}
