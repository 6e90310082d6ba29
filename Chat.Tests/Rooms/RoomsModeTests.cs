using System.Text.Json;
using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Rooms;

[CancelAfter(60_000)]
public sealed class RoomsModeTests
{
    [Test]
    public async Task Joiner_gets_joined_with_the_users_and_the_room_others_get_join()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new RoomsMode());
        var alice = await chat.JoinAsync("alice", ct);
        var bob = await chat.JoinAsync("bob", ct);
        await alice.JoinedAsync("lobby", ct);

        var joined = await bob.JoinedAsync("lobby", ct);
        var join = await alice.ReceiveEventAsync(ct);

        Assert.That(joined.Str("room"), Is.EqualTo("lobby"));
        Assert.That(joined.GetProperty("users").EnumerateArray().Select(u => u.GetString()), Is.EqualTo(new[] { "alice", "bob" }));
        Assert.That(joined.Str("epoch"), Is.Not.Empty);
        Assert.That(joined.GetProperty("offset").GetInt64(), Is.EqualTo(0));
        Assert.That(join.Type(), Is.EqualTo("join"));
        Assert.That(join.Str("room"), Is.EqualTo("lobby"));
        Assert.That(join.Str("user"), Is.EqualTo("bob"));
    }

    [Test]
    public async Task Leaver_gets_left_and_the_room_others_get_leave()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new RoomsMode());
        var alice = await chat.JoinAsync("alice", ct);
        var bob = await chat.JoinAsync("bob", ct);
        await alice.JoinedAsync("lobby", ct);
        await bob.JoinedAsync("lobby", ct);
        await alice.ReceiveRoomEventAsync("join", "lobby", ct);

        await bob.LeaveRoomAsync("lobby", ct);

        var left = await bob.ReceiveEventAsync(ct);
        var leave = await alice.ReceiveEventAsync(ct);
        Assert.That((left.Type(), left.Str("room")), Is.EqualTo(("left", "lobby")));
        Assert.That((leave.Type(), leave.Str("room"), leave.Str("user")), Is.EqualTo(("leave", "lobby", "bob")));

        // Bob no longer hears the room: the next thing he gets is his own error, not alice's message.
        await alice.SayAsync("lobby", "after bob left", ct);
        await alice.ReceiveUntilMessageAsync("after bob left", ct);
        await bob.SayAsync("lobby", "still here?", ct);
        var error = await bob.ReceiveEventAsync(ct);
        Assert.That(error.Str("code"), Is.EqualTo(RoomErrorCode.NotInRoom));
    }

    [Test]
    public async Task Message_reaches_every_member_of_the_room_sender_included_and_nobody_outside()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new RoomsMode());
        var alice = await chat.JoinAsync("alice", ct);
        var bob = await chat.JoinAsync("bob", ct);
        var carol = await chat.JoinAsync("carol", ct);
        await alice.JoinedAsync("lobby", ct);
        await bob.JoinedAsync("lobby", ct);
        await carol.JoinedAsync("kitchen", ct);
        await alice.JoinedAsync("kitchen", ct);

        await bob.SayAsync("lobby", "hello lobby", ct);
        await alice.SayAsync("kitchen", "marker", ct);

        var toBob = await bob.ReceiveRoomEventAsync("message", "lobby", ct);
        var toAlice = await alice.ReceiveRoomEventAsync("message", "lobby", ct);
        foreach (var e in new[] { toBob, toAlice })
        {
            Assert.That(e.Str("name"), Is.EqualTo("bob"));
            Assert.That(e.Str("msg"), Is.EqualTo("hello lobby"));
            Assert.That(e.GetProperty("offset").GetInt64(), Is.EqualTo(1));
            Assert.That(e.GetProperty("ts").GetInt64(), Is.GreaterThan(0));
        }
        var seenByCarol = await carol.ReceiveUntilMessageAsync("marker", ct);
        Assert.That(seenByCarol.Where(e => e.Type() == "message").Select(e => e.Str("room")), Is.EqualTo(new[] { "kitchen" }));
    }

    [Test]
    public async Task Rooms_lists_each_room_with_members_and_its_count()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new RoomsMode());
        var alice = await chat.JoinAsync("alice", ct);
        var bob = await chat.JoinAsync("bob", ct);
        await alice.JoinedAsync("lobby", ct);
        await bob.JoinedAsync("lobby", ct);
        await bob.JoinedAsync("kitchen", ct);
        await alice.JoinedAsync("empty-soon", ct);
        await alice.LeaveRoomAsync("empty-soon", ct);
        await alice.ReceiveEventAsync("left", ct);

        await alice.SendJsonAsync(new { type = "rooms" }, ct);

        var rooms = await alice.ReceiveEventAsync("rooms", ct);
        var counts = rooms.GetProperty("rooms").EnumerateArray().ToDictionary(r => r.Str("room")!, r => r.GetProperty("members").GetInt32());
        Assert.That(counts, Is.EqualTo(new Dictionary<string, int> { ["kitchen"] = 1, ["lobby"] = 2 }));
        Assert.That(rooms.Str("name"), Is.EqualTo("server"));
        Assert.That(rooms.Str("msg"), Is.Not.Empty);
    }

    [TestCase("")]
    [TestCase("_lobby")]
    [TestCase("-lobby")]
    [TestCase("abcdefghijklmnopqrstuvwxyz0123456")]
    [TestCase("no spaces")]
    [TestCase("ünicode")]
    public async Task Invalid_room_name_gets_invalid_room_and_the_connection_stays_open(string room)
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new RoomsMode());
        var alice = await chat.JoinAsync("alice", ct);

        await alice.JoinRoomAsync(room, ct);
        var error = await alice.ReceiveEventAsync(ct);
        await alice.SayAsync(room, "hi", ct);
        var second = await alice.ReceiveEventAsync(ct);

        Assert.That((error.Type(), error.Str("code")), Is.EqualTo(("error", RoomErrorCode.InvalidRoom)));
        Assert.That(second.Str("code"), Is.EqualTo(RoomErrorCode.InvalidRoom));
        var joined = await alice.JoinedAsync("fine", ct);
        Assert.That(joined.Str("room"), Is.EqualTo("fine"));
    }

    [Test]
    public async Task Room_names_fold_ascii_case_and_allow_32_characters()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new RoomsMode());
        var alice = await chat.JoinAsync("alice", ct);
        var longest = "Abcdefghijklmnopqrstuvwxyz-_0123";
        Assert.That(longest, Has.Length.EqualTo(32));

        var joined = await alice.JoinedAsync("LoBBy", ct);
        await alice.SayAsync("LOBBY", "same room", ct);
        var message = await alice.ReceiveEventAsync("message", ct);
        var joinedLong = await alice.JoinedAsync(longest, ct);

        Assert.That(joined.Str("room"), Is.EqualTo("lobby"));
        Assert.That(message.Str("room"), Is.EqualTo("lobby"));
        Assert.That(joinedLong.Str("room"), Is.EqualTo(longest.ToLowerInvariant()));
    }

    [Test]
    public async Task Message_or_leave_for_a_room_not_joined_gets_not_in_room()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new RoomsMode());
        var alice = await chat.JoinAsync("alice", ct);
        var bob = await chat.JoinAsync("bob", ct);
        await bob.JoinedAsync("lobby", ct);

        await alice.SayAsync("lobby", "let me in", ct);
        var onMessage = await alice.ReceiveEventAsync(ct);
        await alice.LeaveRoomAsync("lobby", ct);
        var onLeave = await alice.ReceiveEventAsync(ct);

        Assert.That(onMessage.Str("code"), Is.EqualTo(RoomErrorCode.NotInRoom));
        Assert.That(onLeave.Str("code"), Is.EqualTo(RoomErrorCode.NotInRoom));
        await bob.SayAsync("lobby", "marker", ct);
        var seenByBob = await bob.ReceiveUntilMessageAsync("marker", ct);
        Assert.That(seenByBob.Select(e => e.Str("msg")), Is.EqualTo(new[] { "marker" }), "the refused message must not reach the room");
    }

    [Test]
    public async Task Joining_past_max_rooms_gets_too_many_rooms_and_leaving_one_makes_room()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new RoomsMode(), new ChatServerOptions { MaxRoomsPerMember = 2 });
        var alice = await chat.JoinAsync("alice", ct);
        await alice.JoinedAsync("one", ct);
        await alice.JoinedAsync("two", ct);

        await alice.JoinRoomAsync("three", ct);
        var error = await alice.ReceiveEventAsync(ct);
        await alice.LeaveRoomAsync("one", ct);
        await alice.ReceiveEventAsync("left", ct);
        var joined = await alice.JoinedAsync("three", ct);

        Assert.That((error.Str("code"), error.Str("room")), Is.EqualTo((RoomErrorCode.TooManyRooms, "three")));
        Assert.That(joined.Str("room"), Is.EqualTo("three"));
    }

    [TestCase("{\"type\":\"dance\",\"room\":\"lobby\"}", RoomErrorCode.UnknownType)]
    [TestCase("{\"room\":\"lobby\"}", RoomErrorCode.UnknownType)]
    [TestCase("not json", ChatErrorCode.InvalidJson)]
    public async Task Unknown_or_malformed_command_gets_an_error_and_the_connection_stays_open(string command, string code)
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new RoomsMode());
        var alice = await chat.JoinAsync("alice", ct);

        await alice.SendTextAsync(command, ct);
        var error = await alice.ReceiveEventAsync(ct);
        var joined = await alice.JoinedAsync("lobby", ct);

        Assert.That((error.Type(), error.Str("code")), Is.EqualTo(("error", code)));
        Assert.That(joined.Str("room"), Is.EqualTo("lobby"));
    }

    [Test]
    public async Task A_closed_connection_leaves_all_its_rooms_and_their_others_get_leave()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new RoomsMode());
        var alice = await chat.JoinAsync("alice", ct);
        var bob = await chat.JoinAsync("bob", ct);
        await alice.JoinedAsync("one", ct);
        await alice.JoinedAsync("two", ct);
        await bob.JoinedAsync("one", ct);
        await bob.JoinedAsync("two", ct);

        await bob.CloseAsync(ct);

        var leaves = new List<string>();
        while (leaves.Count < 2)
        {
            var e = await alice.ReceiveEventAsync("leave", ct);
            Assert.That(e.Str("user"), Is.EqualTo("bob"));
            leaves.Add(e.Str("room")!);
        }
        Assert.That(leaves, Is.EquivalentTo(new[] { "one", "two" }));
        await alice.SendJsonAsync(new { type = "rooms" }, ct);
        var rooms = await alice.ReceiveEventAsync("rooms", ct);
        Assert.That(rooms.GetProperty("rooms").EnumerateArray().Select(r => r.GetProperty("members").GetInt32()), Is.EqualTo(new[] { 1, 1 }));
    }

    [Test]
    public async Task Joiner_gets_the_room_history_after_joined_numbered_without_gaps()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new RoomsMode(), new ChatServerOptions { HistorySize = 3 });
        var alice = await chat.JoinAsync("alice", ct);
        await alice.JoinedAsync("lobby", ct);
        await alice.JoinedAsync("other", ct);
        await alice.SayAsync("other", "elsewhere", ct);
        for (var i = 1; i <= 5; i++)
        {
            await alice.SayAsync("lobby", $"m{i}", ct);
        }
        await alice.ReceiveUntilMessageAsync("m5", ct);
        var bob = await chat.JoinAsync("bob", ct);

        var joined = await bob.JoinedAsync("lobby", ct);
        var history = new List<JsonElement>();
        for (var i = 0; i < 3; i++)
        {
            history.Add(await bob.ReceiveEventAsync(ct));
        }
        await alice.SayAsync("lobby", "live", ct);
        var live = await bob.ReceiveEventAsync(ct);

        Assert.That(joined.GetProperty("offset").GetInt64(), Is.EqualTo(5));
        Assert.That(history.Select(e => (e.Type(), e.Str("room"), e.Str("msg"), e.GetProperty("offset").GetInt64())),
            Is.EqualTo(new[] { ("history", "lobby", "m3", 3L), ("history", "lobby", "m4", 4L), ("history", "lobby", "m5", 5L) }));
        Assert.That((live.Type(), live.Str("msg"), live.GetProperty("offset").GetInt64()), Is.EqualTo(("message", "live", 6L)));
    }

    [Test]
    public async Task A_room_history_longer_than_the_send_queue_reaches_a_joiner_whole()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new RoomsMode(), LongHistory.Options);
        var alice = await chat.JoinAsync("alice", ct);
        await alice.JoinedAsync("lobby", ct);
        for (var i = 1; i <= LongHistory.Messages; i++)
        {
            await alice.SayAsync("lobby", $"m{i}", ct);
            await alice.ReceiveUntilMessageAsync($"m{i}", ct);
        }
        var bob = await chat.JoinAsync("bob", ct);

        await bob.JoinedAsync("lobby", ct);
        var history = new List<JsonElement>();
        for (var i = 0; i < LongHistory.Messages; i++)
        {
            history.Add(await bob.ReceiveEventAsync(ct));
        }
        // Not cut as a slow reader afterwards: a live message still reaches it.
        await alice.SayAsync("lobby", "live", ct);
        var live = await bob.ReceiveEventAsync(ct);

        Assert.That(history.Select(e => (e.Type(), e.Str("msg"))), Is.EqualTo(Enumerable.Range(1, LongHistory.Messages).Select(i => ("history", $"m{i}"))));
        Assert.That((live.Type(), live.Str("msg")), Is.EqualTo(("message", "live")));
    }

    [Test]
    public async Task Logins_are_not_announced_to_the_whole_chat_and_every_event_has_name_msg_and_ts()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new RoomsMode());
        var alice = await chat.JoinAsync("alice", ct);
        await alice.JoinedAsync("lobby", ct);
        var bob = await chat.JoinAsync("bob", ct);
        await bob.CloseAsync(ct);
        var carol = await chat.JoinAsync("carol", ct);
        await carol.JoinedAsync("lobby", ct);
        await carol.SayAsync("lobby", "marker", ct);

        var seen = await alice.ReceiveUntilMessageAsync("marker", ct);

        Assert.That(seen.Select(e => (e.Type(), e.Str("user"))), Is.EqualTo(new[] { ("join", "carol"), ("message", (string?)null) }));
        foreach (var e in seen)
        {
            Assert.That(e.Str("name"), Is.Not.Null);
            Assert.That(e.Str("msg"), Is.Not.Null);
            Assert.That(e.GetProperty("ts").GetInt64(), Is.GreaterThan(0));
        }
    }
}
