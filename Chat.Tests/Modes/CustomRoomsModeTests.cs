using Fleck.Chat.Modes;
using Fleck.Chat.Rooms;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Modes;

/// <summary>A mode of its own that offers rooms says so with <see cref="IChatMode.HasRooms"/>, and the server's room calls then serve it.</summary>
[CancelAfter(30_000)]
public sealed class CustomRoomsModeTests
{
    /// <summary>Puts every member, named by its path (<c>/lobby/&lt;nick&gt;</c>), in the room <c>lobby</c>; says nothing itself.</summary>
    private sealed class LobbyMode(bool hasRooms) : IChatMode
    {
        public string Name => "lobby";

        public bool HasRooms => hasRooms;

        public bool AcceptsPath(string path) => path.StartsWith("/lobby/", StringComparison.Ordinal);

        public async ValueTask OnConnectedAsync(ChatMember member, IChatRoom room, CancellationToken cancellationToken)
        {
            if (await room.TryJoinAsync(member, member.Path["/lobby/".Length..], cancellationToken) == JoinResult.Joined)
            {
                await room.Rooms.JoinAsync(member, "lobby", resumeFrom: null, welcome: _ => member.Send(OutgoingMessage.Text("in")), cancellationToken);
            }
        }

        public ValueTask OnMessageAsync(ChatMember member, WebSocketMessage message, IChatRoom room, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public async ValueTask OnDisconnectedAsync(ChatMember member, IChatRoom room) => await room.Rooms.LeaveAllAsync(member);
    }

    [Test]
    public async Task The_room_calls_serve_a_custom_mode_that_has_rooms()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new LobbyMode(hasRooms: true));
        var alice = await chat.ConnectAsync("/lobby/alice", ct);
        Assert.That(await alice.ReceiveTextAsync(ct), Is.EqualTo("in"));

        var users = await chat.Server.GetRoomUsersAsync("lobby", ct);
        await chat.Server.PublishToRoomAsync("lobby", "welcome", ct);

        Assert.That(users, Is.EqualTo(new[] { "alice" }));
        Assert.That(await alice.ReceiveTextAsync(ct), Does.Contain("welcome"));
    }

    [Test]
    public async Task A_custom_mode_without_rooms_is_told_so()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new LobbyMode(hasRooms: false));

        Assert.That(((IChatMode)new BroadcastMode()).HasRooms, Is.False, "the default");
        Assert.That(new RoomsMode().HasRooms, Is.True);
        await Assert.ThrowsAsync<NotSupportedException>(() => chat.Server.GetRoomUsersAsync("lobby", ct));
    }
}
