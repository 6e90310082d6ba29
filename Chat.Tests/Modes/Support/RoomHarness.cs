using System.Net.WebSockets;
using System.Text;
using Fleck.Chat.Identity;
using Fleck.Chat.Modes;
using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;
using Fleck.Chat.Server;
using Fleck.Chat.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleck.Chat.Tests.Modes.Support;

/// <summary>
/// A chat room and its mode without a transport: members over <see cref="RecordingMemberConnection"/>,
/// driven through the same calls the server makes, so a test decides exactly what runs when.
/// </summary>
internal sealed class RoomHarness : IAsyncDisposable
{
    private RoomHarness(IChatMode mode, IChatBackplane backplane, ChatRoom room)
    {
        Mode = mode;
        Backplane = backplane;
        Room = room;
    }

    public IChatMode Mode { get; }

    public IChatBackplane Backplane { get; }

    public ChatRoom Room { get; }

    public static async Task<RoomHarness> StartAsync(IChatMode mode, IChatBackplane backplane, int historySize = 50)
    {
        var counters = new ChatCounters();
        // As the server does: the backplane's own rooms when it has them, else rooms of this node alone.
        var roomSide = backplane.Streams is null ? new InMemoryBackplane() : backplane;
        var streams = new LocalStreams(roomSide.Bus, counters, NullLogger.Instance);
        var retain = Math.Max(historySize, 1000);
        var room = new ChatRoom(backplane, counters, NullLogger.Instance)
        {
            Rooms = new RoomDirectory(roomSide.Presence, roomSide.Bus, roomSide.Streams!, streams, 50, historySize, retain, NullLogger.Instance),
            Stream = new ChatStream(roomSide.Streams!, streams, historySize, retain),
            Sends = new AckedSends(roomSide.Streams!, counters, retain),
            Inboxes = new Inboxes(roomSide.Streams!, streams, historySize, retain),
            Streams = streams,
        };
        if (roomSide is InMemoryBackplane local && roomSide != backplane)
        {
            local.AttachStreamsOnly(room);
        }
        await backplane.ConnectAsync(room, CancellationToken.None);
        return new RoomHarness(mode, backplane, room);
    }

    /// <summary>A member on <paramref name="path"/>, not yet connected; its close runs the server's close handling (leave the room, then tell the mode).</summary>
    public (ChatMember Member, RecordingMemberConnection Connection) Create(string path, int? queueLimit = null, ChatIdentity? identity = null)
    {
        var connection = queueLimit is { } limit ? new RecordingMemberConnection(path) { QueueLimit = limit } : new RecordingMemberConnection(path);
        var member = new ChatMember(connection) { Identity = identity };
        connection.Closed = async () => await Room.LeaveAsync(member, () => Mode.OnDisconnectedAsync(member, Room));
        return (member, connection);
    }

    /// <summary>Starts the login of <paramref name="nickname"/> (by path) without waiting for it.</summary>
    public (ChatMember Member, RecordingMemberConnection Connection, Task Login) BeginJoin(string nickname, CancellationToken ct, int? queueLimit = null, ChatIdentity? identity = null)
    {
        var (member, connection) = Create("/websocket/" + Uri.EscapeDataString(nickname), queueLimit, identity);
        return (member, connection, Mode.OnConnectedAsync(member, Room, ct).AsTask());
    }

    public async Task<(ChatMember Member, RecordingMemberConnection Connection)> JoinAsync(string nickname, CancellationToken ct, int? queueLimit = null)
    {
        var (member, connection, login) = BeginJoin(nickname, ct, queueLimit);
        await login;
        Assert.That(member.HasJoined, Is.True, $"{nickname} joined");
        return (member, connection);
    }

    public Task SayAsync(ChatMember member, string text, CancellationToken ct) =>
        Mode.OnMessageAsync(member, new WebSocketMessage(WebSocketMessageType.Text, Encoding.UTF8.GetBytes(text)), Room, ct).AsTask();

    public ValueTask DisposeAsync() => Backplane.DisposeAsync();
}
