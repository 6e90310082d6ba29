using System.Net.WebSockets;
using Fleck.Chat.Modes;
using Fleck.Chat.Scaling;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Embedding;

/// <summary>
/// The methods an embedding application calls on <see cref="ChatServer"/> (publish, send, disconnect,
/// who is online), on two servers in one process that share one chat through an <see cref="InMemoryBackplane"/>.
/// </summary>
[CancelAfter(30_000)]
[Parallelizable(ParallelScope.All)]
public sealed class ChatServerApiTests
{
    [Test]
    public async Task Every_call_on_one_server_reaches_the_members_of_the_other()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        var backplane = new InMemoryBackplane();
        await using var a = await ChatFixture.StartAsync(new NickBroadcastMode(), new ChatServerOptions { Backplane = backplane });
        await using var b = await ChatFixture.StartAsync(new NickBroadcastMode(), new ChatServerOptions { Backplane = backplane.CreateNode() });
        var alice = await a.JoinAsync("alice", ct);
        var bob = await b.JoinAsync("bob", ct);
        var carol = await b.JoinAsync("carol", ct);

        await a.Server.PublishAsync("to everyone", ct);
        var published = await bob.ReceiveEventAsync("message", ct);
        var delivered = await a.Server.SendToUserAsync("bob", "to bob", ct);
        var sent = await bob.ReceiveEventAsync("private", ct);
        var undelivered = await a.Server.SendToUserAsync("nobody", "lost", ct);
        var online = await a.Server.GetOnlineUsersAsync(ct);
        await a.Server.DisconnectUserAsync("carol", ct);
        await carol.Closed.Task.WaitAsync(ct);
        var leave = await alice.ReceiveEventAsync("leave", ct);

        Assert.That(published.GetProperty("name").GetString(), Is.EqualTo("server"));
        Assert.That(published.GetProperty("msg").GetString(), Is.EqualTo("to everyone"));
        Assert.That(delivered, Is.True);
        Assert.That(sent.GetProperty("msg").GetString(), Is.EqualTo("to bob"));
        Assert.That(undelivered, Is.False);
        Assert.That(online, Is.EqualTo(new[] { "alice", "bob", "carol" }));
        Assert.That((int?)carol.CloseStatus, Is.EqualTo(4004));
        Assert.That(leave.GetProperty("user").GetString(), Is.EqualTo("carol"));
        Assert.That(bob.State, Is.EqualTo(WebSocketState.Open));
    }

    [Test]
    public async Task In_broadcast_mode_nobody_has_a_name_so_send_reports_undelivered_and_nobody_is_listed()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var chat = await ChatFixture.StartAsync(new BroadcastMode());
        var client = await chat.ConnectAsync("/websocket", ct);
        await client.SendTextAsync("joined", ct);
        await client.ReceiveTextAsync(ct);

        var delivered = await chat.Server.SendToUserAsync("anyone", "hello", ct);
        var online = await chat.Server.GetOnlineUsersAsync(ct);
        await chat.Server.PublishAsync("raw", ct);

        Assert.That(delivered, Is.False);
        Assert.That(online, Is.Empty);
        Assert.That(await client.ReceiveTextAsync(ct), Is.EqualTo("raw"));
    }

    [Test]
    public async Task Empty_text_or_user_is_refused_with_ArgumentException()
    {
        await using var server = new ChatServer(new NickBroadcastMode());

        await Assert.ThrowsAsync<ArgumentException>(() => server.PublishAsync(""));
        await Assert.ThrowsAsync<ArgumentException>(() => server.SendToUserAsync(" ", "x"));
        await Assert.ThrowsAsync<ArgumentException>(() => server.SendToUserAsync("bob", ""));
        await Assert.ThrowsAsync<ArgumentException>(() => server.DisconnectUserAsync(""));
    }
}
