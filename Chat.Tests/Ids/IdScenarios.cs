using System.Text.Json;
using Fleck.Chat.Tests.Support;
using static Fleck.Chat.Tests.Ids.IdHosts;

namespace Fleck.Chat.Tests.Ids;

/// <summary>
/// The rules of acknowledged, idempotent sends, each played against <see cref="IdHosts"/>: one host
/// (its two sides the same process) or two hosts on one redis-server, so the same scenario proves a
/// rule on one node and across nodes.
/// </summary>
internal static class IdScenarios
{
    /// <summary>nick-broadcast: ack with the offset, the id on the message, and a re-send on the same connection, after a reconnect and on the other host acked again as a duplicate and never delivered twice.</summary>
    public static async Task NickBroadcastAcksAndDeduplicatesAsync(IdHosts hosts, CancellationToken ct)
    {
        var (alice, _) = await JoinAsync(hosts.One, "alice", ct);
        var (bob, _) = await JoinAsync(hosts.Two, "bob", ct);
        await using var b = bob;
        JsonElement first, again, afterReconnect;
        await using (alice)
        {
            await alice.SendJsonAsync(new { msg = "one", id = "m-1" }, ct);
            first = await alice.ReceiveAckAsync("m-1", ct);
            await alice.SendJsonAsync(new { msg = "one", id = "m-1" }, ct);
            again = await alice.ReceiveAckAsync("m-1", ct);
        }
        // The name is free once its leave is out; what bob saw until then counts too.
        var seen = await bob.ReceiveEventsUntilAsync(e => e.Type() == "leave", ct);
        var (aliceAgain, _) = await JoinAsync(hosts.Two, "alice", ct);
        await using (aliceAgain)
        {
            await aliceAgain.SendJsonAsync(new { msg = "one", id = "m-1" }, ct);
            afterReconnect = await aliceAgain.ReceiveAckAsync("m-1", ct);
            await aliceAgain.SendJsonAsync(new { msg = "end" }, ct);
        }
        seen.AddRange(await bob.ReceiveUntilMessageAsync("end", ct));
        var delivered = seen.Where(e => IsEvent(e, "message", "one")).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Str("name"), Is.EqualTo("server"));
            Assert.That(first.Str("msg"), Is.EqualTo(""));
            Assert.That(first.TryGetProperty("ts", out _), Is.True);
            Assert.That(first.TryGetProperty("room", out _), Is.False);
            Assert.That(Duplicate(first), Is.False);
            Assert.That(first.TryGetProperty("duplicate", out _), Is.False, "a first ack has no duplicate field");
            Assert.That(again.Offset(), Is.EqualTo(first.Offset()));
            Assert.That(Duplicate(again), Is.True);
            Assert.That(afterReconnect.Offset(), Is.EqualTo(first.Offset()));
            Assert.That(Duplicate(afterReconnect), Is.True);
            Assert.That(delivered, Has.Count.EqualTo(1), "delivered once");
            Assert.That(delivered[0].Offset(), Is.EqualTo(first.Offset()));
            Assert.That(delivered[0].Str("id"), Is.EqualTo("m-1"), "the message carries its id");
        }
    }

    /// <summary>Ids that break the rules are refused with invalid_id (no id field) and nothing is sent; the longest valid one is acked.</summary>
    public static async Task InvalidIdsAreRefusedAsync(IdHosts hosts, CancellationToken ct)
    {
        var (alice, _) = await JoinAsync(hosts.One, "alice", ct);
        await using var a = alice;
        object[] invalid = [5, "", new string('a', 65), "a b", "é", true];
        foreach (var id in invalid)
        {
            await alice.SendJsonAsync(new { msg = "bad", id }, ct);
        }
        var longest = new string('z', 64);
        await alice.SendJsonAsync(new { msg = "good", id = longest }, ct);
        // The ack and the message may come in either order (across hosts the message comes through Redis).
        var events = await alice.ReceiveEventsUntilAsync(e => e.Type() == "ack", ct);
        if (!events.Any(e => IsEvent(e, "message", "good")))
        {
            events.AddRange(await alice.ReceiveUntilMessageAsync("good", ct));
        }
        var errors = events.Where(e => e.Type() == "error").ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(errors.Select(e => e.Str("code")), Is.EqualTo(Enumerable.Repeat("invalid_id", invalid.Length)));
            Assert.That(errors.Any(e => e.TryGetProperty("id", out _)), Is.False, "an invalid id is not echoed");
            Assert.That(events.Any(e => IsEvent(e, "message", "bad")), Is.False, "nothing was sent");
            Assert.That(events.Single(e => IsEvent(e, "message", "good")).Str("id"), Is.EqualTo(longest));
            Assert.That(events.Single(e => e.Type() == "ack").Str("id"), Is.EqualTo(longest));
        }
    }

    /// <summary>rooms: a send to a room not joined fails with the id (and leaves it free); joined, it is acked with room and offset; after leaving, a re-send still gets its ack as a duplicate.</summary>
    public static async Task RoomsAckWithRoomAndAFailedSendLeavesTheIdFreeAsync(IdHosts hosts, CancellationToken ct)
    {
        var (alice, _) = await JoinAsync(hosts.One, "alice", ct);
        var (bob, _) = await JoinAsync(hosts.Two, "bob", ct);
        await using var a = alice;
        await using var b = bob;
        await alice.SendJsonAsync(new { type = "message", room = "lobby", msg = "hi", id = "r-1" }, ct);
        var notIn = await alice.ReceiveErrorForAsync("r-1", ct);
        await alice.SendJsonAsync(new { type = "message", room = "lobby", msg = "hi", id = 7 }, ct);
        var invalid = await alice.ReceiveEventAsync("error", ct);
        await alice.JoinedAsync("lobby", ct);
        await bob.JoinedAsync("lobby", ct);
        await alice.SendJsonAsync(new { type = "message", room = "lobby", msg = "hi", id = "r-1" }, ct);
        var ack = await alice.ReceiveAckAsync("r-1", ct);
        await alice.LeftAsync("lobby", ct);
        await alice.SendJsonAsync(new { type = "message", room = "lobby", msg = "hi", id = "r-1" }, ct);
        var afterLeaving = await alice.ReceiveAckAsync("r-1", ct);
        await bob.SayAsync("lobby", "end", ct);
        var seen = await bob.ReceiveUntilMessageAsync("end", ct);
        var delivered = seen.Where(e => IsEvent(e, "message", "hi")).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(notIn.Str("code"), Is.EqualTo("not_in_room"));
            Assert.That(notIn.Str("room"), Is.EqualTo("lobby"));
            Assert.That(invalid.Str("code"), Is.EqualTo("invalid_id"));
            Assert.That(ack.Str("room"), Is.EqualTo("lobby"));
            Assert.That(ack.Offset(), Is.EqualTo(1));
            Assert.That(Duplicate(ack), Is.False, "the failed send did not use the id up");
            Assert.That(afterLeaving.Offset(), Is.EqualTo(1));
            Assert.That(afterLeaving.Str("room"), Is.EqualTo("lobby"));
            Assert.That(Duplicate(afterLeaving), Is.True, "the duplicate check comes before the membership check");
            Assert.That(delivered, Has.Count.EqualTo(1));
            Assert.That(delivered[0].Str("id"), Is.EqualTo("r-1"));
        }
    }

    /// <summary>private without identity: offline_target carries the id and leaves it free; the ack has no offset; a re-send is a duplicate, not delivered again.</summary>
    public static async Task PrivateWithoutIdentityAcksWithoutOffsetAsync(IdHosts hosts, CancellationToken ct)
    {
        var (alice, _) = await JoinAsync(hosts.One, "alice", ct);
        await using var a = alice;
        await alice.SendJsonAsync(new { to_client = "bob", msg = "hi", id = "p-1" }, ct);
        var offline = await alice.ReceiveErrorForAsync("p-1", ct);
        var (bob, _) = await JoinAsync(hosts.Two, "bob", ct);
        await using var b = bob;
        await alice.SendJsonAsync(new { to_client = "bob", msg = "hi", id = "p-1" }, ct);
        var ack = await alice.ReceiveAckAsync("p-1", ct);
        await alice.SendJsonAsync(new { to_client = "bob", msg = "hi", id = "p-1" }, ct);
        var again = await alice.ReceiveAckAsync("p-1", ct);
        await alice.SendJsonAsync(new { to_client = "bob", msg = "end" }, ct);
        var seen = await bob.ReceiveEventsUntilAsync(e => IsEvent(e, "private", "end"), ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(offline.Str("code"), Is.EqualTo("offline_target"));
            Assert.That(ack.TryGetProperty("offset", out _), Is.False, "nothing is numbered without identity");
            Assert.That(Duplicate(ack), Is.False);
            Assert.That(Duplicate(again), Is.True);
            Assert.That(seen.Count(e => IsEvent(e, "private", "hi")), Is.EqualTo(1));
            Assert.That(seen.Any(e => e.TryGetProperty("offset", out _)), Is.False, "Part 1's private events, no offsets");
        }
    }

    /// <summary>
    /// One signed-in user sends the same id through two connections (on the two hosts) at the same
    /// moment: one delivery, one offset, both acked with it, one of them as the duplicate.
    /// </summary>
    public static async Task TheSameIdAtOnceIsNumberedOnceAsync(IdHosts hosts, CancellationToken ct)
    {
        var (watcher, _) = await SignInAsync(hosts.One, "watcher", ct);
        var (alice1, _) = await SignInAsync(hosts.One, "alice", ct);
        var (alice2, _) = await SignInAsync(hosts.Two, "alice", ct);
        await using var w = watcher;
        await using var a1 = alice1;
        await using var a2 = alice2;
        for (var round = 0; round < 5; round++)
        {
            var id = $"race-{round}";
            await Task.WhenAll(alice1.SendJsonAsync(new { msg = id, id }, ct), alice2.SendJsonAsync(new { msg = id, id }, ct));
            var acks = await Task.WhenAll(alice1.ReceiveAckAsync(id, ct), alice2.ReceiveAckAsync(id, ct));
            Assert.That(acks[0].Offset(), Is.EqualTo(acks[1].Offset()), $"{id}: one offset");
            Assert.That(acks.Count(Duplicate), Is.EqualTo(1), $"{id}: one first send, one duplicate");
        }
        await alice1.SendJsonAsync(new { msg = "end" }, ct);
        var seen = await watcher.ReceiveUntilMessageAsync("end", ct);
        var raced = seen.Where(e => e.Type() == "message" && e.Str("msg")!.StartsWith("race-", StringComparison.Ordinal)).Select(e => e.Str("msg")).ToList();
        Assert.That(raced, Is.EqualTo(Enumerable.Range(0, 5).Select(i => $"race-{i}")), "each id delivered once");
    }
}
