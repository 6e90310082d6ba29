using Fleck.Chat.Client.Tests.Support;

namespace Fleck.Chat.Client.Tests;

/// <summary>Acknowledged sends (SPEC Part 3, "Acknowledged, idempotent sends").</summary>
[CancelAfter(60_000)]
public sealed class SendTests
{
    [Test]
    public async Task SendAsync_completes_on_the_ack_with_the_messages_offset()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("nick-broadcast", ct);
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", host.WebSocketPort), ct);

        var result = await anna.Client.SendAsync("hello", ct);
        var echo = await anna.WaitForAsync<MessageEvent>(ct);

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(new SendResult(echo.Message.Offset, Duplicate: false)));
            Assert.That(echo.Message.Id, Is.Not.Null, "the message carries its send id");
        });
    }

    [Test]
    public async Task SendToRoomAsync_completes_on_the_ack_with_the_rooms_offset()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("rooms", ct);
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", host.WebSocketPort), ct);
        await anna.Client.JoinAsync("lobby", ct);

        var first = await anna.Client.SendToRoomAsync("lobby", "one", ct);
        var second = await anna.Client.SendToRoomAsync("lobby", "two", ct);

        Assert.That(new[] { first.Offset, second.Offset }, Is.EqualTo(new long[] { 1, 2 }));
    }

    [Test]
    public async Task An_error_carrying_the_sends_id_fails_that_send()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("rooms", ct);
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", host.WebSocketPort), ct);

        var error = await Assert.ThrowsAsync<ChatErrorException>(() => anna.Client.SendToRoomAsync("nowhere", "hello?", ct));

        Assert.That(error!.Code, Is.EqualTo("not_in_room"));
    }

    [Test]
    public async Task A_send_held_past_SendTimeout_fails_with_TimeoutException()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("nick-broadcast", ct);
        var proxy = CutProxy.Start(host.WebSocketPort);
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", proxy.Port) with { SendTimeout = TimeSpan.FromMilliseconds(300) }, ct);

        // The network is gone for good: the send waits, queued, until its time is up.
        await proxy.DisposeAsync();
        await anna.WaitForAsync<StateChangedEvent>(e => e.State == ChatClientState.Reconnecting, ct);

        await Assert.ThrowsAsync<TimeoutException>(() => anna.Client.SendAsync("too late", ct));
    }

    [Test]
    public async Task A_send_made_while_disconnected_goes_out_after_the_reconnect_once()
    {
        var ct = TestTimeouts.Token(TestTimeouts.Recovery);
        await using var host = await ClientHost.StartAsync("nick-broadcast", ct);
        await using var proxy = CutProxy.Start(host.WebSocketPort);
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", proxy.Port), ct);
        await using var ben = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/ben", ct);
        await ben.ReceiveEventAsync("users", ct);

        proxy.CutAll();
        var sent = anna.Client.SendAsync("through the blink", ct);
        var result = await sent;
        await ben.SendJsonAsync(new { msg = "marker" }, ct);
        var seen = await ben.ReceiveUntilMessageAsync("marker", ct);

        Assert.Multiple(() =>
        {
            Assert.That(seen.Count(e => e.Str("msg") == "through the blink"), Is.EqualTo(1));
            Assert.That(result.Duplicate, Is.False);
        });
    }
}
