using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Scaling;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Modes;

/// <summary>nick-broadcast has one way to send a message, through its numbered stream: when the stream cannot be reached, nothing goes out unnumbered.</summary>
[CancelAfter(30_000)]
public sealed class NickBroadcastStreamOutageTests
{
    [Test]
    public async Task A_message_the_stream_cannot_number_is_refused_as_unavailable_and_reaches_nobody()
    {
        var ct = TestTimeouts.Token();
        var backplane = new StreamOutageBackplane();
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode(), new ChatServerOptions { Backplane = backplane });
        await using var alice = await JoinAsync(chat.Server.Port, "alice", ct);
        await using var bob = await JoinAsync(chat.Server.Port, "bob", ct);
        Assert.That((await alice.ReceiveEventAsync(ct)).GetProperty("type").GetString(), Is.EqualTo("join"));

        backplane.Down = true;
        await alice.SendTextAsync("cannot be numbered", ct);
        var refused = await alice.ReceiveEventAsync(ct);
        var serverRefused = Assert.ThrowsAsync<BackplaneUnavailableException>(() => chat.Server.PublishAsync("nor can this", ct));
        backplane.Down = false;
        await alice.SendTextAsync("marker", ct);
        var atAlice = await alice.ReceiveUntilMessageAsync("marker", ct);
        var atBob = await bob.ReceiveUntilMessageAsync("marker", ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(refused.GetProperty("type").GetString(), Is.EqualTo("error"), "the sender is told, and gets no copy of its message");
            Assert.That(refused.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.Unavailable));
            Assert.That(serverRefused, Is.Not.Null, "the server's own message is refused too");
            Assert.That(atAlice.Select(e => e.GetRawText()).ToList(), Has.Count.EqualTo(1), "the sender got nothing between its error and the marker");
            Assert.That(atAlice[^1].GetProperty("offset").GetInt64(), Is.EqualTo(1L), "the connection stayed open, and the refused messages used no offset");
            Assert.That(atBob.Select(e => e.GetRawText()).ToList(), Has.Count.EqualTo(1), "the others got nothing before the marker");
            Assert.That(atBob[^1].GetProperty("offset").GetInt64(), Is.EqualTo(1L));
        }
    }

    private static async Task<TypedClient> JoinAsync(int port, string nickname, CancellationToken ct)
    {
        var client = await TypedClient.ConnectAsync(port, "/websocket/" + nickname, ct);
        Assert.That((await client.ReceiveEventAsync(ct)).GetProperty("type").GetString(), Is.EqualTo("users"));
        return client;
    }
}
