using Fleck.Chat.Modes;
using Fleck.Chat.Tests.Modes.Support;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Modes;

/// <summary>
/// The orderings a nick-broadcast joiner relies on, with the history stopped at chosen points so
/// that each interleaving happens for certain: every message reaches the joiner once, from the
/// history or live, after its users event and history.
/// </summary>
[CancelAfter(30_000)]
public sealed class JoinOrderingTests
{
    [Test]
    public async Task A_message_recorded_before_the_joiner_reads_the_history_reaches_it_once_as_history()
    {
        var ct = TestTimeouts.Token();
        var backplane = new GatedHistoryBackplane();
        await using var room = await RoomHarness.StartAsync(new NickBroadcastMode(), backplane);
        var (alice, _) = await room.JoinAsync("alice", ct);

        backplane.BeforeRead.Close();
        var (_, bob, login) = room.BeginJoin("bob", ct);
        await backplane.BeforeRead.Reached.WaitAsync(ct);
        await room.SayAsync(alice, "hello", ct);
        backplane.BeforeRead.Open();
        await login.WaitAsync(ct);
        await room.SayAsync(alice, "after", ct);

        Assert.That(bob.Summary[0], Does.StartWith("users:"));
        Assert.That(bob.Summary.Skip(1), Is.EqualTo(new[] { "history:hello", "message:after" }), "its live copy, which came while bob was joining, is not repeated");
    }

    [Test]
    public async Task A_message_recorded_after_the_joiner_read_the_history_reaches_it_live_after_the_history()
    {
        var ct = TestTimeouts.Token();
        var backplane = new GatedHistoryBackplane();
        await using var room = await RoomHarness.StartAsync(new NickBroadcastMode(), backplane);
        var (alice, _) = await room.JoinAsync("alice", ct);
        await room.SayAsync(alice, "before", ct);

        backplane.AfterRead.Close();
        var (_, bob, login) = room.BeginJoin("bob", ct);
        await backplane.AfterRead.Reached.WaitAsync(ct);
        await room.SayAsync(alice, "during", ct);
        backplane.AfterRead.Open();
        await login.WaitAsync(ct);

        Assert.That(bob.Summary[0], Does.StartWith("users:"));
        Assert.That(bob.Summary.Skip(1), Is.EqualTo(new[] { "history:before", "message:during" }));
    }

    [Test]
    public async Task A_message_whose_recording_is_still_on_its_way_reaches_a_member_that_joins_meanwhile()
    {
        var ct = TestTimeouts.Token();
        var backplane = new GatedHistoryBackplane();
        await using var room = await RoomHarness.StartAsync(new NickBroadcastMode(), backplane);
        var (alice, _) = await room.JoinAsync("alice", ct);

        backplane.BeforeAppend.Close();
        var saying = room.SayAsync(alice, "racing", ct);
        await backplane.BeforeAppend.Reached.WaitAsync(ct);
        var (_, bob) = await room.JoinAsync("bob", ct);
        backplane.BeforeAppend.Open();
        await saying.WaitAsync(ct);

        Assert.That(bob.Summary.Skip(1), Is.EqualTo(new[] { "message:racing" }), "not in the history bob read, so it comes live");
    }

    [Test]
    public async Task A_join_announced_while_a_member_is_joining_is_not_repeated_to_it_when_its_online_list_already_showed_it()
    {
        var ct = TestTimeouts.Token();
        var backplane = new GatedHistoryBackplane();
        await using var room = await RoomHarness.StartAsync(new NickBroadcastMode(), backplane);
        var (alice, _) = await room.JoinAsync("alice", ct);

        // Carol is in, not yet announced; bob comes in and reads the online list, carol on it.
        backplane.BeforeRead.Close();
        var (_, _, carolLogin) = room.BeginJoin("carol", ct);
        await backplane.BeforeRead.Reached.WaitAsync(ct);
        backplane.AfterRead.Close();
        var (_, bob, bobLogin) = room.BeginJoin("bob", ct);
        await backplane.AfterRead.Reached.WaitAsync(ct);
        // Carol's join announcement now reaches bob while he is still joining.
        backplane.BeforeRead.Open();
        await carolLogin.WaitAsync(ct);
        backplane.AfterRead.Open();
        await bobLogin.WaitAsync(ct);
        await room.SayAsync(alice, "marker", ct);

        Assert.That(bob.Events[0].GetProperty("users").EnumerateArray().Select(u => u.GetString()), Is.EquivalentTo(new[] { "alice", "bob", "carol" }));
        Assert.That(bob.Summary.Skip(1), Is.EqualTo(new[] { "message:marker" }));
    }

    [Test]
    public async Task A_member_joining_while_the_last_one_out_is_still_unsubscribing_the_node_gets_the_chat_live()
    {
        var ct = TestTimeouts.Token();
        var backplane = new GatedHistoryBackplane();
        await using var room = await RoomHarness.StartAsync(new NickBroadcastMode(), backplane);
        var (_, aliceConnection) = await room.JoinAsync("alice", ct);

        // Alice was the stream's only member here: her leave unsubscribes the node, and stops there.
        backplane.BeforeUnsubscribe.Close();
        var leaving = aliceConnection.CloseAsync(WebSocketCloseCode.Normal, null, ct);
        await backplane.BeforeUnsubscribe.Reached.WaitAsync(ct);
        var (bob, bobConnection, login) = room.BeginJoin("bob", ct);
        backplane.BeforeUnsubscribe.Open();
        await leaving.WaitAsync(ct);
        await login.WaitAsync(ct);
        await room.SayAsync(bob, "marker", ct);

        Assert.That(bobConnection.Summary[0], Does.StartWith("users:"));
        // Alice's leave is announced once her unsubscribe is done; by then bob may be in, and hear it.
        Assert.That(bobConnection.Summary.Skip(1).Where(e => e != "leave:alice"), Is.EqualTo(new[] { "message:marker" }), "the node still hears the stream after alice's unsubscribe");
    }
}
