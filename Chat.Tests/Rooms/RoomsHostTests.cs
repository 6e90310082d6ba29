using Fleck.Chat.Protocol;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Rooms;

[CancelAfter(60_000)]
public sealed class RoomsHostTests
{
    [Test]
    public async Task The_host_runs_rooms_mode_with_the_max_rooms_it_was_given()
    {
        var ct = TestTimeouts.Token();
        await using var host = HostProcess.Start("--mode", "rooms", "--max-rooms", "1", "--host", "127.0.0.1", "--port", "0", "--http-port", "0");
        await host.WaitForBannerAsync(ct);
        await using var alice = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/alice", ct);
        await alice.ReceiveEventAsync("users", ct);

        var joined = await alice.JoinedAsync("lobby", ct);
        await alice.JoinRoomAsync("kitchen", ct);
        var error = await alice.ReceiveEventAsync(ct);

        Assert.That(joined.Str("room"), Is.EqualTo("lobby"));
        Assert.That(error.Str("code"), Is.EqualTo(RoomErrorCode.TooManyRooms));
    }
}
