using Fleck.Chat.Client.Tests.Support;
using Fleck.Chat.Tests.Identity;

namespace Fleck.Chat.Client.Tests;

/// <summary>Private messages: acknowledged, and kept in inboxes with identity (SPEC Part 3, "Private conversations are kept").</summary>
[CancelAfter(60_000)]
public sealed class PrivateTests
{
    [Test]
    public async Task A_private_message_reaches_its_target_and_is_acknowledged_without_identity()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("private", ct);
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", host.WebSocketPort), ct);
        await using var ben = await EventLog.ConnectAsync(ClientHost.As("ben", host.WebSocketPort), ct);

        var sending = anna.Client.SendPrivateAsync("ben", "lunch?", ct);
        var received = await ben.WaitForAsync<PrivateEvent>(ct);
        var result = await sending;

        Assert.Multiple(() =>
        {
            Assert.That(received.Message.Name, Is.EqualTo("anna"));
            Assert.That(received.Message.To, Is.EqualTo("ben"));
            Assert.That(received.Message.Text, Is.EqualTo("lunch?"));
            Assert.That(result.Offset, Is.Zero, "without identity nothing is kept, so nothing is numbered");
        });
    }

    [Test]
    public async Task A_private_message_to_someone_offline_fails_with_offline_target()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("private", ct);
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", host.WebSocketPort), ct);

        var error = await Assert.ThrowsAsync<ChatErrorException>(() => anna.Client.SendPrivateAsync("nobody", "hello?", ct));

        Assert.That(error!.Code, Is.EqualTo("offline_target"));
    }

    [Test]
    public async Task With_identity_a_private_message_is_numbered_in_both_inboxes_and_echoed_to_the_sender()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("private", ct, "--jwt-secret", Tokens.Secret);
        await using var anna = await EventLog.ConnectAsync(ClientHost.WithToken(Tokens.For("anna"), host.WebSocketPort), ct);
        await using var ben = await EventLog.ConnectAsync(ClientHost.WithToken(Tokens.For("ben"), host.WebSocketPort), ct);

        var result = await anna.Client.SendPrivateAsync("ben", "kept", ct);
        var atBen = await ben.WaitForAsync<PrivateEvent>(ct);
        var echo = await anna.WaitForAsync<PrivateEvent>(ct);

        Assert.Multiple(() =>
        {
            Assert.That(result.Offset, Is.EqualTo(1), "the offset in anna's inbox");
            Assert.That(atBen.Message.Offset, Is.EqualTo(1), "the offset in ben's inbox");
            Assert.That(echo.Message.Offset, Is.EqualTo(result.Offset), "a v=3 sender sees its own inbox's every offset");
            Assert.That(echo.Message.Id, Is.EqualTo(atBen.Message.Id).And.Not.Null);
        });
    }

    [Test]
    public async Task A_returning_user_resumes_its_inbox_and_gets_what_came_while_it_was_away()
    {
        var ct = TestTimeouts.Token(TestTimeouts.Recovery);
        await using var host = await ClientHost.StartAsync("private", ct, "--jwt-secret", Tokens.Secret);
        await using var proxy = CutProxy.Start(host.WebSocketPort);
        await using var anna = await EventLog.ConnectAsync(ClientHost.WithToken(Tokens.For("anna"), host.WebSocketPort), ct);
        await using var ben = await EventLog.ConnectAsync(ClientHost.WithToken(Tokens.For("ben"), proxy.Port), ct);
        await anna.Client.SendPrivateAsync("ben", "first", ct);
        await ben.WaitForAsync<PrivateEvent>(ct);

        proxy.CutAll();
        await anna.Client.SendPrivateAsync("ben", "while away", ct);
        var missed = await ben.WaitForAsync<ChatEvent>(e => e is HistoryEvent { Message.Text: "while away" } or PrivateEvent { Message.Text: "while away" }, ct);
        var recovered = await ben.WaitForAsync<RecoveredEvent>(ct);

        Assert.Multiple(() =>
        {
            Assert.That(recovered.Recovered, Is.True);
            Assert.That(ben.Seen.Count(e => e is PrivateEvent { Message.Text: "first" } or HistoryEvent { Message.Text: "first" }), Is.EqualTo(1));
            Assert.That(missed, Is.Not.Null);
        });
    }
}
