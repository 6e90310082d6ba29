using Fleck.Chat.Tests.Support;
using static Fleck.Chat.Tests.Ids.IdHosts;

namespace Fleck.Chat.Tests.Ids;

/// <summary>
/// Private conversations kept in inboxes (private mode with identity), played against
/// <see cref="IdHosts"/>: one host, or two on one redis-server with the users spread over both.
/// </summary>
internal static class InboxScenarios
{
    /// <summary>
    /// users carries the inbox's epoch and offset; the target gets the message with its inbox offset,
    /// the sender's other device with the sender's, a new device has it as history with to_client, and
    /// the sending connection gets only its ack.
    /// </summary>
    public static async Task AConversationIsKeptAndReachesEveryDeviceAsync(IdHosts hosts, CancellationToken ct)
    {
        var (alice1, aliceUsers) = await SignInAsync(hosts.One, "alice", ct);
        var (bob, bobUsers) = await SignInAsync(hosts.Two, "bob", ct);
        await using var a1 = alice1;
        await using var b = bob;
        await alice1.SendJsonAsync(new { to_client = "bob", msg = "hello", id = "i-1" }, ct);
        var ack = await alice1.ReceiveAckAsync("i-1", ct);
        var atBob = await bob.ReceiveEventAsync("private", ct);
        var (alice2, alice2Users) = await SignInAsync(hosts.Two, "alice", ct);
        await using var a2 = alice2;
        var history = await alice2.ReceiveEventAsync("history", ct);
        await bob.SendJsonAsync(new { to_client = "alice", msg = "hi back" }, ct);
        var atAlice1 = await alice1.ReceiveEventsUntilAsync(e => IsEvent(e, "private", "hi back"), ct);
        var atAlice2 = await alice2.ReceiveEventAsync("private", ct);
        await alice1.SendJsonAsync(new { to_client = "bob", msg = "end" }, ct);
        var atBobLater = await bob.ReceiveEventsUntilAsync(e => IsEvent(e, "private", "end"), ct);
        var endAtAlice2 = await alice2.ReceiveEventAsync("private", ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(aliceUsers.Str("epoch"), Is.Not.Empty);
            Assert.That(aliceUsers.Offset(), Is.Zero);
            Assert.That(bobUsers.Offset(), Is.Zero);
            Assert.That(ack.Offset(), Is.EqualTo(1), "the offset in the sender's inbox");
            Assert.That((atBob.Str("name"), atBob.Str("to_client"), atBob.Str("msg"), atBob.Offset(), atBob.Str("id")), Is.EqualTo(("alice", "bob", "hello", 1L, "i-1")));
            Assert.That(alice2Users.Epoch(), Is.EqualTo(aliceUsers.Epoch()));
            Assert.That(alice2Users.Offset(), Is.EqualTo(1));
            Assert.That((history.Str("name"), history.Str("to_client"), history.Str("msg"), history.Offset(), history.Str("id")), Is.EqualTo(("alice", "bob", "hello", 1L, "i-1")));
            Assert.That(atAlice1.Any(e => IsEvent(e, "private", "hello")), Is.False, "the sending connection gets no echo");
            Assert.That((atAlice1[^1].Str("name"), atAlice1[^1].Str("to_client"), atAlice1[^1].Offset()), Is.EqualTo(("bob", "alice", 2L)));
            Assert.That((atAlice2.Str("msg"), atAlice2.Offset()), Is.EqualTo(("hi back", 2L)));
            Assert.That(atBobLater.Any(e => IsEvent(e, "private", "hi back")), Is.False, "bob's sending connection gets no echo");
            Assert.That(atBobLater[^1].Offset(), Is.EqualTo(3));
            Assert.That((endAtAlice2.Str("msg"), endAtAlice2.Str("to_client"), endAtAlice2.Offset()), Is.EqualTo(("end", "bob", 3L)), "the sender's other device gets its copy");
        }
    }

    /// <summary>A connection opened with v=3 gets the echo of its own private message, with the offset its ack has.</summary>
    public static async Task AV3ConnectionGetsItsOwnEchoAsync(IdHosts hosts, CancellationToken ct)
    {
        var (bob, _) = await SignInAsync(hosts.Two, "bob", ct);
        var (alice, _) = await SignInAsync(hosts.One, "alice", ct, "&v=3");
        await using var b = bob;
        await using var a = alice;
        await alice.SendJsonAsync(new { to_client = "bob", msg = "hello", id = "v-1" }, ct);
        var events = await alice.ReceiveEventsUntilAsync(e => IsEvent(e, "private", "hello"), ct);
        var ack = events.FirstOrDefault(e => e.Type() == "ack") is { ValueKind: System.Text.Json.JsonValueKind.Object } early ? early : await alice.ReceiveAckAsync("v-1", ct);

        Assert.That(events[^1].Offset(), Is.EqualTo(ack.Offset()));
        Assert.That(events[^1].Str("id"), Is.EqualTo("v-1"));
    }

    /// <summary>A user who is away is written to all the same (acks, no error), and resumes with recovered:true.</summary>
    public static async Task AnAbsentUserGetsItsMessagesOnReturnAndResumesAsync(IdHosts hosts, CancellationToken ct)
    {
        var (alice, _) = await SignInAsync(hosts.One, "alice", ct);
        var (bob, bobUsers) = await SignInAsync(hosts.Two, "bob", ct);
        await using var a = alice;
        await alice.SendJsonAsync(new { to_client = "bob", msg = "first", id = "o-1" }, ct);
        var seen = (await bob.ReceiveEventAsync("private", ct)).Offset();
        await bob.CloseAsync(ct);
        await bob.DisposeAsync();
        await alice.ReceiveEventAsync("leave", ct);
        await alice.SendJsonAsync(new { to_client = "bob", msg = "away 1", id = "o-2" }, ct);
        var ack1 = await alice.ReceiveAckAsync("o-2", ct);
        await alice.SendJsonAsync(new { to_client = "bob", msg = "away 2", id = "o-3" }, ct);
        var events = await alice.ReceiveEventsUntilAsync(e => e.Type() == "ack" && e.Str("id") == "o-3", ct);

        var (back, backUsers) = await SignInAsync(hosts.Two, "bob", ct, $"&since={seen}&epoch={bobUsers.Epoch()}");
        await using var __ = back;
        var welcome = await back.ReceiveEventsUntilAsync(e => e.Type() == "recovered", ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ack1.Offset(), Is.EqualTo(2));
            Assert.That(events.Any(e => e.Type() == "error"), Is.False, "no offline_target for a user with an inbox");
            Assert.That(backUsers.Offset(), Is.EqualTo(3));
            Assert.That(welcome.Select(e => $"{e.Type()}:{(e.Type() == "history" ? e.Offset() + ":" + e.Str("msg") : e.GetProperty("recovered").GetBoolean().ToString())}"),
                Is.EqualTo(new[] { "history:2:away 1", "history:3:away 2", "recovered:True" }));
        }
    }

    /// <summary>A user never seen is offline_target (with the id, which stays free): once it has signed in, the same send goes through.</summary>
    public static async Task ANeverSeenTargetIsRefusedUntilItHasAnInboxAsync(IdHosts hosts, CancellationToken ct)
    {
        var (alice, _) = await SignInAsync(hosts.One, "alice", ct);
        await using var a = alice;
        await alice.SendJsonAsync(new { to_client = "carol", msg = "hi", id = "n-1" }, ct);
        var refused = await alice.ReceiveErrorForAsync("n-1", ct);
        var (carol, _) = await SignInAsync(hosts.Two, "carol", ct);
        await using var c = carol;
        await alice.SendJsonAsync(new { to_client = "carol", msg = "hi", id = "n-1" }, ct);
        var ack = await alice.ReceiveAckAsync("n-1", ct);
        var got = await carol.ReceiveEventAsync("private", ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(refused.Str("code"), Is.EqualTo("offline_target"));
            Assert.That(Duplicate(ack), Is.False);
            Assert.That(ack.Offset(), Is.EqualTo(1));
            Assert.That((got.Str("msg"), got.Offset()), Is.EqualTo(("hi", 1L)));
        }
    }
}
