using Fleck.Chat.Identity;
using Fleck.Chat.Modes;
using Fleck.Chat.Tests.Modes.Support;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Modes;

/// <summary>
/// A connection that closes while a new one takes its nickname: the others hear the old one leave
/// before the new one joins, even when the new claim comes in the moment the name is free, before
/// the leave was announced. Heard the other way round, the name would look offline while it is online.
/// </summary>
[CancelAfter(30_000)]
public sealed class LeaveBeforeRejoinTests
{
    [Test]
    public async Task A_nickname_taken_again_the_moment_its_connection_frees_it_is_announced_leave_then_join()
    {
        var summary = await CloseAndRejoinAsync(identity: null);

        Assert.That(summary, Is.EqualTo(new[] { "leave:alice", "join:alice" }));
    }

    [Test]
    public async Task A_signed_in_user_whose_only_connection_closes_as_a_new_one_opens_is_announced_leave_then_join()
    {
        var summary = await CloseAndRejoinAsync(new ChatIdentity("alice"));

        Assert.That(summary, Is.EqualTo(new[] { "leave:alice", "join:alice" }));
    }

    /// <summary>What carol hears of alice while alice's connection closes and a new one logs in, the login starting in the gap after the old claim was given up.</summary>
    private static async Task<IReadOnlyList<string>> CloseAndRejoinAsync(ChatIdentity? identity)
    {
        var ct = TestTimeouts.Token();
        var backplane = new GatedReleaseBackplane();
        await using var room = await RoomHarness.StartAsync(new PrivateMode(), backplane);
        var (_, carol) = await room.JoinAsync("carol", ct);
        var (_, oldAlice, oldLogin) = room.BeginJoin("alice", ct, identity: identity);
        await oldLogin.WaitAsync(ct);

        backplane.AfterRelease.Close();
        var closing = oldAlice.CloseAsync(WebSocketCloseCode.Normal, null, ct);
        await backplane.AfterRelease.Reached.WaitAsync(ct);
        var (_, _, newLogin) = room.BeginJoin("alice", ct, identity: identity);
        backplane.AfterRelease.Open();
        await closing.WaitAsync(ct);
        await newLogin.WaitAsync(ct);

        return [.. carol.Summary.SkipWhile(s => s != "join:alice").Skip(1)];
    }
}
