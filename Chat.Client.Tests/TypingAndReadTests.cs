using Fleck.Chat.Client.Tests.Support;
using Fleck.Chat.Tests.Identity;

namespace Fleck.Chat.Client.Tests;

/// <summary>Typing notices and read markers (SPEC Part 3, "Typing and read state").</summary>
[CancelAfter(60_000)]
public sealed class TypingAndReadTests
{
    [Test]
    public async Task Typing_in_a_room_reaches_the_other_members()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("rooms", ct);
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", host.WebSocketPort), ct);
        await using var ben = await EventLog.ConnectAsync(ClientHost.As("ben", host.WebSocketPort), ct);
        await anna.Client.JoinAsync("lobby", ct);
        await ben.Client.JoinAsync("lobby", ct);

        await anna.Client.TypingAsync("lobby", cancellationToken: ct);

        Assert.That(await ben.WaitForAsync<TypingEvent>(ct), Is.EqualTo(new TypingEvent("lobby", "anna")));
    }

    [Test]
    public async Task Typing_in_nick_broadcast_reaches_the_others_but_not_the_typist()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("nick-broadcast", ct);
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", host.WebSocketPort), ct);
        await using var ben = await EventLog.ConnectAsync(ClientHost.As("ben", host.WebSocketPort), ct);

        await anna.Client.TypingAsync(cancellationToken: ct);
        var typing = await ben.WaitForAsync<TypingEvent>(ct);
        await ben.Client.SendAsync("marker", ct);
        await anna.WaitForAsync<MessageEvent>(e => e.Message.Text == "marker", ct);

        Assert.Multiple(() =>
        {
            Assert.That(typing, Is.EqualTo(new TypingEvent(null, "anna")));
            Assert.That(anna.Seen.OfType<TypingEvent>(), Is.Empty);
        });
    }

    [Test]
    public async Task A_read_marker_reaches_the_users_other_connection()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("nick-broadcast", ct, "--jwt-secret", Tokens.Secret);
        await using var phone = await EventLog.ConnectAsync(ClientHost.WithToken(Tokens.For("anna"), host.WebSocketPort), ct);
        await using var laptop = await EventLog.ConnectAsync(ClientHost.WithToken(Tokens.For("anna"), host.WebSocketPort), ct);
        await using var ben = await TypedClient.ConnectSignedInAsync(host.WebSocketPort, Tokens.For("ben"), ct);
        await ben.SendJsonAsync(new { msg = "one" }, ct);
        await ben.SendJsonAsync(new { msg = "two" }, ct);
        await phone.WaitForAsync<MessageEvent>(e => e.Message.Text == "two", ct);

        await phone.Client.MarkReadAsync(null, 2, ct);

        Assert.That(await laptop.WaitForAsync<ReadEvent>(ct), Is.EqualTo(new ReadEvent(null, 2)));
    }

    [Test]
    public async Task A_new_connection_is_told_the_read_marker()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("rooms", ct, "--jwt-secret", Tokens.Secret);
        await using var phone = await EventLog.ConnectAsync(ClientHost.WithToken(Tokens.For("anna"), host.WebSocketPort), ct);
        await phone.Client.JoinAsync("lobby", ct);
        await phone.Client.SendToRoomAsync("lobby", "one", ct);
        await phone.Client.MarkReadAsync("lobby", 1, ct);
        await phone.Client.SendToRoomAsync("lobby", "marker", ct);

        await using var laptop = await EventLog.ConnectAsync(ClientHost.WithToken(Tokens.For("anna"), host.WebSocketPort), ct);
        await laptop.Client.JoinAsync("lobby", ct);

        Assert.That((await laptop.WaitForAsync<JoinedEvent>(ct)).Read, Is.EqualTo(1));
    }
}
