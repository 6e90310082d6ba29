using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Modes;

[CancelAfter(30_000)]
public sealed class PrivateModeTests
{
    [Test]
    public async Task Private_message_reaches_exactly_its_target_stamped_with_the_real_sender()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new PrivateMode());
        var alice = await chat.JoinAsync("alice", ct);
        var bob = await chat.JoinAsync("bob", ct);
        var carol = await chat.JoinAsync("carol", ct);

        await alice.SendJsonAsync(new { name = "carol", msg = "psst", to_client = "bob" }, ct);
        var received = await bob.ReceiveEventAsync("private", ct);
        // Markers after it: carol's first private message comes the same way the first one would
        // have, and alice's error for an offline target queues behind any echo to her.
        await alice.SendJsonAsync(new { msg = "marker", to_client = "carol" }, ct);
        await alice.SendJsonAsync(new { msg = "marker", to_client = "nobody" }, ct);
        var atCarol = await carol.ReceiveEventAsync("private", ct);
        var atAlice = await alice.ReceiveEventsUntilAsync(e => e.GetProperty("type").GetString() == "error", ct);

        Assert.That(received.GetProperty("name").GetString(), Is.EqualTo("alice"));
        Assert.That(received.GetProperty("to_client").GetString(), Is.EqualTo("bob"));
        Assert.That(received.GetProperty("msg").GetString(), Is.EqualTo("psst"));
        Assert.That(atCarol.GetProperty("msg").GetString(), Is.EqualTo("marker"), "carol never got bob's message");
        Assert.That(atAlice.Select(e => e.GetProperty("type").GetString()), Has.None.EqualTo("private"), "the sender gets no echo");
        Assert.That(atAlice[^1].GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.OfflineTarget));
    }

    [Test]
    public async Task Target_is_matched_case_insensitively()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new PrivateMode());
        var alice = await chat.JoinAsync("alice", ct);
        var bob = await chat.JoinAsync("Bob", ct);

        await alice.SendJsonAsync(new { msg = "hi", to_client = "BOB" }, ct);

        Assert.That((await bob.ReceiveEventAsync("private", ct)).GetProperty("msg").GetString(), Is.EqualTo("hi"));
    }

    [Test]
    public async Task Offline_target_gets_the_sender_an_error_and_the_connection_stays()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new PrivateMode());
        var alice = await chat.JoinAsync("alice", ct);
        var bob = await chat.JoinAsync("bob", ct);

        await alice.SendJsonAsync(new { msg = "anyone?", to_client = "nobody" }, ct);
        var error = await alice.ReceiveEventAsync("error", ct);
        await alice.SendJsonAsync(new { msg = "you there", to_client = "bob" }, ct);

        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.OfflineTarget));
        Assert.That(error.GetProperty("msg").GetString(), Does.Contain("nobody"));
        Assert.That((await bob.ReceiveEventAsync("private", ct)).GetProperty("msg").GetString(), Is.EqualTo("you there"));
    }

    [Test]
    public async Task A_member_leaving_mid_conversation_makes_the_next_message_an_offline_error()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new PrivateMode());
        var alice = await chat.JoinAsync("alice", ct);
        var bob = await chat.JoinAsync("bob", ct);
        await alice.SendJsonAsync(new { msg = "first", to_client = "bob" }, ct);
        await bob.ReceiveEventAsync("private", ct);

        await bob.CloseAsync(ct);
        await alice.ReceiveEventAsync("leave", ct);
        await alice.SendJsonAsync(new { msg = "second", to_client = "bob" }, ct);

        var error = await alice.ReceiveEventAsync("error", ct);
        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.OfflineTarget));
    }

    [TestCase("not json at all", ChatErrorCode.InvalidJson)]
    [TestCase("{\"msg\":\"hi\"", ChatErrorCode.InvalidJson)]
    [TestCase("{\"msg\":\"hi\"}", ChatErrorCode.MissingField)]
    [TestCase("{\"to_client\":\"bob\"}", ChatErrorCode.MissingField)]
    public async Task Bad_message_gets_an_error_event_and_the_connection_stays(string payload, string code)
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new PrivateMode());
        var alice = await chat.JoinAsync("alice", ct);
        var bob = await chat.JoinAsync("bob", ct);

        await alice.SendTextAsync(payload, ct);
        var error = await alice.ReceiveEventAsync("error", ct);
        await alice.SendJsonAsync(new { msg = "after the error", to_client = "bob" }, ct);

        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(code));
        Assert.That(error.GetProperty("name").GetString(), Is.EqualTo("server"));
        Assert.That((await bob.ReceiveEventAsync("private", ct)).GetProperty("msg").GetString(), Is.EqualTo("after the error"));
    }

    [Test]
    public async Task Online_list_and_presence_events_let_a_member_pick_a_recipient()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new PrivateMode());
        var alice = await chat.JoinAsync("alice", ct);
        var bob = await chat.ConnectAsync("/websocket/bob", ct);

        var users = await bob.ReceiveEventAsync("users", ct);
        var join = await alice.ReceiveEventAsync("join", ct);

        Assert.That(users.GetProperty("users").EnumerateArray().Select(u => u.GetString()), Is.EquivalentTo(new[] { "alice", "bob" }));
        Assert.That(join.GetProperty("user").GetString(), Is.EqualTo("bob"));
    }
}
