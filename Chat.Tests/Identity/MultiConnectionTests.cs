using Fleck.Chat.Identity;
using Fleck.Chat.Modes;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Identity;

/// <summary>With identities, one user may hold several connections and is still one person to the others.</summary>
[CancelAfter(30_000)]
[Parallelizable(ParallelScope.All)]
public sealed class MultiConnectionTests
{
    private static Task<ChatFixture> StartAsync(IChatMode mode) =>
        ChatFixture.StartAsync(mode, new ChatServerOptions { Transport = new() { Authenticator = JwtAuthenticator.WithSecret(Tokens.Secret) } });

    private static async Task<TypedClient> SignInAsync(ChatFixture chat, string name, CancellationToken ct, string path = "/websocket")
    {
        var client = await chat.ConnectAsync($"{path}?access_token={Tokens.For(name)}", ct);
        await client.ReceiveEventAsync("users", ct);
        return client;
    }

    [Test]
    public async Task Two_connections_of_one_user_are_one_join_one_name_both_get_private_messages_and_one_leave_after_the_last()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var chat = await StartAsync(new PrivateMode());
        var bob = await SignInAsync(chat, "bob", ct);
        var alice1 = await SignInAsync(chat, "alice", ct);
        var joined = await bob.ReceiveEventAsync(ct);

        var alice2 = await chat.ConnectAsync($"/websocket/ALICE?access_token={Tokens.For("alice")}", ct);
        var users = await alice2.ReceiveEventAsync("users", ct);
        await bob.SendJsonAsync(new { to_client = "alice", msg = "to every tab" }, ct);
        var first = await alice1.ReceiveEventAsync("private", ct);
        var second = await alice2.ReceiveEventAsync("private", ct);
        await alice1.SendJsonAsync(new { to_client = "bob", msg = "marker 1" }, ct);
        var afterSecondConnection = await bob.ReceiveEventAsync(ct);

        await alice1.CloseAsync(ct);
        await WaitForConnectionsAsync(chat, 2, ct);
        await alice2.SendJsonAsync(new { to_client = "bob", msg = "marker 2" }, ct);
        var afterFirstClose = await bob.ReceiveEventAsync(ct);
        await alice2.CloseAsync(ct);
        var left = await bob.ReceiveEventAsync(ct);

        Assert.That(joined.GetProperty("type").GetString(), Is.EqualTo("join"));
        Assert.That(users.GetProperty("users").EnumerateArray().Select(u => u.GetString()), Is.EqualTo(new[] { "alice", "bob" }));
        Assert.That(first.GetProperty("msg").GetString(), Is.EqualTo("to every tab"));
        Assert.That(second.GetProperty("msg").GetString(), Is.EqualTo("to every tab"));
        Assert.That(afterSecondConnection.GetProperty("msg").GetString(), Is.EqualTo("marker 1"), "no second join went out");
        Assert.That(afterFirstClose.GetProperty("msg").GetString(), Is.EqualTo("marker 2"), "no leave while a connection remains");
        Assert.That(left.GetProperty("type").GetString(), Is.EqualTo("leave"));
        Assert.That(left.GetProperty("user").GetString(), Is.EqualTo("alice"));
    }

    [Test]
    public async Task With_identity_a_first_message_is_chat_not_a_login()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var chat = await StartAsync(new NickBroadcastMode());
        var alice = await SignInAsync(chat, "alice", ct);

        await alice.SendTextAsync("mallory", ct);
        var message = await alice.ReceiveEventAsync("message", ct);

        Assert.That(message.GetProperty("name").GetString(), Is.EqualTo("alice"));
        Assert.That(message.GetProperty("msg").GetString(), Is.EqualTo("mallory"));
    }

    [Test]
    public async Task Without_identity_a_second_login_with_a_taken_name_is_still_refused_with_4001()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var chat = await ChatFixture.StartAsync(new PrivateMode());
        await chat.JoinAsync("alice", ct);

        var second = await chat.ConnectAsync("/websocket/alice", ct);
        var error = await second.ReceiveEventAsync("error", ct);
        await second.Closed.Task.WaitAsync(ct);

        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo("nickname_taken"));
        Assert.That((int?)second.CloseStatus, Is.EqualTo(4001));
    }

    /// <summary>The server drops a connection from its count only after its close handler ran.</summary>
    private static async Task WaitForConnectionsAsync(ChatFixture chat, int count, CancellationToken ct)
    {
        while (chat.Server.GetStatistics().Connections != count)
        {
            await Task.Delay(20, ct);
        }
    }
}
