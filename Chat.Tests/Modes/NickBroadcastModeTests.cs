using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Modes;

[CancelAfter(30_000)]
public sealed class NickBroadcastModeTests
{
    [Test]
    public async Task Message_is_stamped_with_the_registered_name_and_a_forged_name_is_ignored()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode());
        var alice = await chat.JoinAsync("alice", ct);
        var bob = await chat.JoinAsync("bob", ct);
        await alice.ReceiveEventAsync("join", ct);

        await bob.SendJsonAsync(new { name = "alice", msg = "I am alice, trust me" }, ct);

        var seenByAlice = await alice.ReceiveEventAsync("message", ct);
        var seenByBob = await bob.ReceiveEventAsync("message", ct);
        Assert.That(seenByAlice.GetProperty("name").GetString(), Is.EqualTo("bob"));
        Assert.That(seenByAlice.GetProperty("msg").GetString(), Is.EqualTo("I am alice, trust me"));
        Assert.That(seenByBob.GetProperty("name").GetString(), Is.EqualTo("bob"));
        Assert.That(seenByBob.GetProperty("ts").GetInt64(), Is.GreaterThan(0));
    }

    [Test]
    public async Task Plain_text_is_taken_as_the_message()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode());
        var alice = await chat.JoinAsync("alice", ct);

        await alice.SendTextAsync("just text", ct);

        var e = await alice.ReceiveEventAsync("message", ct);
        Assert.That(e.GetProperty("msg").GetString(), Is.EqualTo("just text"));
    }

    [Test]
    public async Task Nickname_can_come_from_the_first_message_on_plain_websocket()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode());
        var carol = await chat.ConnectAsync("/websocket", ct);
        await carol.SendTextAsync("carol", ct);
        var users = await carol.ReceiveEventAsync("users", ct);
        Assert.That(users.GetProperty("you").GetString(), Is.EqualTo("carol"));

        var dave = await chat.ConnectAsync("/websocket", ct);
        await dave.SendJsonAsync(new { name = "dave" }, ct);
        await dave.ReceiveEventAsync("users", ct);
        await dave.SendJsonAsync(new { name = "dave", msg = "hi" }, ct);

        var e = await carol.ReceiveEventAsync("message", ct);
        Assert.That(e.GetProperty("name").GetString(), Is.EqualTo("dave"));
    }

    [Test]
    public async Task Duplicate_nickname_in_other_case_is_refused_and_never_replaces_the_owner()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode());
        var owner = await chat.JoinAsync("Alice", ct);

        var intruder = await chat.ConnectAsync("/websocket/aLICE", ct);
        var error = await intruder.ReceiveEventAsync("error", ct);
        await intruder.Closed.Task.WaitAsync(ct);

        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.NicknameTaken));
        Assert.That((int?)intruder.CloseStatus, Is.EqualTo(ChatErrorCode.CloseNicknameTaken));
        await owner.SendTextAsync("still mine", ct);
        var e = await owner.ReceiveEventAsync("message", ct);
        Assert.That(e.GetProperty("name").GetString(), Is.EqualTo("Alice"));
    }

    [TestCase("/websocket/%20%20")]
    [TestCase("/websocket/server")]
    [TestCase("/websocket/SERVER")]
    [TestCase("/websocket/a%07b")]
    [TestCase("/websocket/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task Invalid_nickname_gets_an_error_and_close_4002(string path)
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode());
        var client = await chat.ConnectAsync(path, ct);

        var error = await client.ReceiveEventAsync("error", ct);
        await client.Closed.Task.WaitAsync(ct);

        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.InvalidNickname));
        Assert.That(error.GetProperty("name").GetString(), Is.EqualTo("server"));
        Assert.That((int?)client.CloseStatus, Is.EqualTo(ChatErrorCode.CloseInvalidNickname));
    }

    [Test]
    public async Task Empty_first_message_is_an_invalid_nickname()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode());
        var client = await chat.ConnectAsync("/websocket", ct);
        await client.SendTextAsync("   ", ct);

        var error = await client.ReceiveEventAsync("error", ct);
        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.InvalidNickname));
    }

    [Test]
    public async Task Percent_encoded_non_ascii_nickname_is_decoded()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode());
        var client = await chat.ConnectAsync("/websocket/%E5%B0%8F%E6%98%8E", ct);

        var users = await client.ReceiveEventAsync("users", ct);

        Assert.That(users.GetProperty("you").GetString(), Is.EqualTo("小明"));
        await client.SendTextAsync("你好", ct);
        var e = await client.ReceiveEventAsync("message", ct);
        Assert.That(e.GetProperty("name").GetString(), Is.EqualTo("小明"));
    }

    [Test]
    public async Task Late_joiner_gets_the_history_then_others_get_join_and_leave()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode(), new ChatServerOptions { HistorySize = 2 });
        var alice = await chat.JoinAsync("alice", ct);
        foreach (var text in new[] { "one", "two", "three" })
        {
            await alice.SendTextAsync(text, ct);
            await alice.ReceiveEventAsync("message", ct);
        }

        var bob = await chat.ConnectAsync("/websocket/bob", ct);
        var users = await bob.ReceiveEventAsync("users", ct);
        var first = await bob.ReceiveEventAsync(ct);
        var second = await bob.ReceiveEventAsync(ct);

        Assert.That(users.GetProperty("users").EnumerateArray().Select(u => u.GetString()), Is.EquivalentTo(new[] { "alice", "bob" }));
        Assert.That(first.GetProperty("type").GetString(), Is.EqualTo("history"));
        Assert.That(first.GetProperty("msg").GetString(), Is.EqualTo("two"));
        Assert.That(second.GetProperty("msg").GetString(), Is.EqualTo("three"));
        Assert.That(second.GetProperty("name").GetString(), Is.EqualTo("alice"));
        var join = await alice.ReceiveEventAsync("join", ct);
        Assert.That(join.GetProperty("user").GetString(), Is.EqualTo("bob"));

        await bob.CloseAsync(ct);
        var leave = await alice.ReceiveEventAsync("leave", ct);
        Assert.That(leave.GetProperty("user").GetString(), Is.EqualTo("bob"));
    }

    [Test]
    public async Task A_history_longer_than_the_send_queue_reaches_a_late_joiner_whole()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode(), LongHistory.Options);
        var alice = await chat.JoinAsync("alice", ct);
        for (var i = 0; i < LongHistory.Messages; i++)
        {
            await alice.SendTextAsync($"m{i}", ct);
            await alice.ReceiveEventAsync("message", ct);
        }

        var bob = await chat.ConnectAsync("/websocket/bob", ct);
        await bob.ReceiveEventAsync("users", ct);
        var history = new List<string>();
        for (var i = 0; i < LongHistory.Messages; i++)
        {
            var e = await bob.ReceiveEventAsync(ct);
            Assert.That(e.GetProperty("type").GetString(), Is.EqualTo("history"));
            history.Add(e.GetProperty("msg").GetString()!);
        }
        // Not cut as a slow reader afterwards: its own message comes back live.
        await bob.SendTextAsync("after", ct);
        var live = await bob.ReceiveEventAsync("message", ct);

        Assert.That(history, Is.EqualTo(Enumerable.Range(0, LongHistory.Messages).Select(i => $"m{i}")));
        Assert.That(live.GetProperty("msg").GetString(), Is.EqualTo("after"));
    }

    [Test]
    public async Task A_closed_connection_frees_its_nickname_at_once()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode());
        var watcher = await chat.JoinAsync("watcher", ct);
        var first = await chat.JoinAsync("erin", ct);

        first.Abort();
        await watcher.ReceiveEventAsync("leave", ct);
        var again = await chat.JoinAsync("ERIN", ct);

        await again.SendTextAsync("back", ct);
        var e = await watcher.ReceiveEventAsync("message", ct);
        Assert.That(e.GetProperty("name").GetString(), Is.EqualTo("ERIN"));
    }

    [Test]
    public async Task Every_event_has_string_name_and_msg_fields()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode());
        var alice = await chat.JoinAsync("alice", ct);
        var bob = await chat.JoinAsync("bob", ct);
        await bob.SendTextAsync("hello", ct);
        await bob.SendTextAsync("{not json", ct);
        await bob.CloseAsync(ct);

        var events = new List<System.Text.Json.JsonElement>();
        do
        {
            events.Add(await alice.ReceiveEventAsync(ct));
        }
        while (events[^1].GetProperty("type").GetString() != "leave");
        Assert.That(events.Select(e => e.GetProperty("type").GetString()), Is.EqualTo(new[] { "join", "message", "message", "leave" }));
        foreach (var e in events)
        {
            Assert.That(e.GetProperty("name").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.String));
            Assert.That(e.GetProperty("msg").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.String));
        }
    }

    [Test]
    [CancelAfter(90_000)] // two hundred handshakes on a loaded machine take longer than one step
    public async Task Two_hundred_members_in_one_room_all_receive_every_message()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(60));
        // Two hundred joins from 127.0.0.1 in a row outrun the per-address connection rate, which is not what this test is about.
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode(),
            new ChatServerOptions { Transport = new WebSocketServerOptions { HandshakesPerSecondPerAddress = 0 } });
        var members = new List<TypedClient>();
        for (var i = 0; i < 200; i++)
        {
            members.Add(await chat.JoinAsync($"user{i}", ct));
        }

        await members[7].SendTextAsync("to all two hundred", ct);

        foreach (var member in members)
        {
            var e = await member.ReceiveEventAsync("message", ct);
            Assert.That(e.GetProperty("name").GetString(), Is.EqualTo("user7"));
        }
        Assert.That(chat.Server.GetStatistics().Members, Is.EqualTo(200));
    }

    [Test]
    public async Task Binary_message_gets_an_error_and_the_connection_stays()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode());
        var alice = await chat.JoinAsync("alice", ct);
        await alice.SendBinaryAsync([1, 2, 3], ct);

        var error = await alice.ReceiveEventAsync("error", ct);
        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.UnsupportedData));
        await alice.SendTextAsync("fine", ct);
        Assert.That((await alice.ReceiveEventAsync("message", ct)).GetProperty("msg").GetString(), Is.EqualTo("fine"));
    }
}
