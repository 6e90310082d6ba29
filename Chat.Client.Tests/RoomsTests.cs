using Fleck.Chat.Client.Tests.Support;

namespace Fleck.Chat.Client.Tests;

/// <summary>Joining, reading and leaving rooms (rooms mode).</summary>
[CancelAfter(60_000)]
public sealed class RoomsTests
{
    [Test]
    public async Task JoinAsync_completes_on_joined_and_the_rooms_messages_arrive()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("rooms", ct);
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", host.WebSocketPort), ct);
        await using var ben = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/ben", ct);
        await ben.ReceiveEventAsync("users", ct);

        await anna.Client.JoinAsync("Lobby", ct);
        var joined = await anna.WaitForAsync<JoinedEvent>(ct);
        await ben.JoinedAsync("lobby", ct);
        await anna.WaitForAsync<JoinEvent>(e => e is { Room: "lobby", User: "ben" }, ct);
        await ben.SayAsync("lobby", "hello anna", ct);
        var message = await anna.WaitForAsync<MessageEvent>(ct);

        Assert.Multiple(() =>
        {
            Assert.That(joined.Room, Is.EqualTo("lobby"));
            Assert.That(message.Room, Is.EqualTo("lobby"));
            Assert.That(message.Message.Name, Is.EqualTo("ben"));
            Assert.That(message.Message.Text, Is.EqualTo("hello anna"));
            Assert.That(message.Message.Offset, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task LeaveAsync_completes_on_left_and_the_others_see_it()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("rooms", ct);
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", host.WebSocketPort), ct);
        await using var ben = await EventLog.ConnectAsync(ClientHost.As("ben", host.WebSocketPort), ct);
        await anna.Client.JoinAsync("lobby", ct);
        await ben.Client.JoinAsync("lobby", ct);

        await ben.Client.LeaveAsync("lobby", ct);

        Assert.Multiple(async () =>
        {
            Assert.That((await ben.WaitForAsync<LeftEvent>(ct)).Room, Is.EqualTo("lobby"));
            Assert.That(await anna.WaitForAsync<LeaveEvent>(ct), Is.EqualTo(new LeaveEvent("lobby", "ben")));
        });
    }

    [Test]
    public async Task ListRoomsAsync_answers_with_a_rooms_event()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("rooms", ct);
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", host.WebSocketPort), ct);
        await anna.Client.JoinAsync("kitchen", ct);

        await anna.Client.ListRoomsAsync(ct);

        Assert.That((await anna.WaitForAsync<RoomsEvent>(ct)).Rooms, Is.EqualTo(new[] { new RoomInfo("kitchen", 1) }));
    }

    [Test]
    public async Task A_room_name_the_server_would_refuse_is_refused_before_sending()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("rooms", ct);
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", host.WebSocketPort), ct);

        await Assert.ThrowsAsync<ArgumentException>(() => anna.Client.JoinAsync("no spaces", ct));
    }
}
