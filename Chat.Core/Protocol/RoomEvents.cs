using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Fleck.Chat.Rooms;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Protocol;

/// <summary>Builds the events of rooms mode, each serialized once into a frame shared by all its recipients.</summary>
internal static class RoomEvents
{
    /// <summary>Read by JSON.parse, never inlined into HTML, so non-ASCII text stays UTF-8 (as in <see cref="ChatEvents"/>).</summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static OutgoingMessage Message(string room, RoomEntry entry) =>
        Frame(new RoomEvent { Type = "message", Room = room, Name = entry.Name, Msg = entry.Msg, Ts = entry.Ts, Offset = entry.Offset });

    public static OutgoingMessage History(string room, RoomEntry entry) =>
        Frame(new RoomEvent { Type = "history", Room = room, Name = entry.Name, Msg = entry.Msg, Ts = entry.Ts, Offset = entry.Offset }, isReplay: true);

    public static OutgoingMessage Joined(RoomSnapshot snapshot) =>
        Frame(new RoomEvent
        {
            Type = "joined",
            Room = snapshot.Room,
            Name = Nickname.Server,
            Msg = $"You joined #{snapshot.Room}. Here ({snapshot.Users.Count}): {string.Join(", ", snapshot.Users)}",
            Users = snapshot.Users,
            Epoch = snapshot.Epoch,
            Offset = snapshot.Offset,
            Ts = ChatEvents.Now(),
        });

    public static OutgoingMessage Recovered(string room, bool recovered, int count) =>
        Frame(new RoomEvent
        {
            Type = "recovered",
            Room = room,
            Name = Nickname.Server,
            Msg = ChatEvents.RecoveredText(recovered, count),
            Recovered = recovered,
            Count = recovered ? count : null,
            Ts = ChatEvents.Now(),
        });

    public static OutgoingMessage Join(string room, string user) =>
        Frame(new RoomEvent { Type = "join", Room = room, Name = Nickname.Server, Msg = $"{user} joined #{room}", User = user, Ts = ChatEvents.Now() });

    public static OutgoingMessage Left(string room) =>
        Frame(new RoomEvent { Type = "left", Room = room, Name = Nickname.Server, Msg = $"You left #{room}", Ts = ChatEvents.Now() });

    public static OutgoingMessage Leave(string room, string user) =>
        Frame(new RoomEvent { Type = "leave", Room = room, Name = Nickname.Server, Msg = $"{user} left #{room}", User = user, Ts = ChatEvents.Now() });

    public static OutgoingMessage Rooms(IReadOnlyList<RoomCount> rooms) =>
        Frame(new RoomEvent
        {
            Type = "rooms",
            Name = Nickname.Server,
            Msg = rooms.Count == 0 ? "No rooms yet." : "Rooms: " + string.Join(", ", rooms.Select(r => $"#{r.Room} ({r.Members})")),
            Rooms = [.. rooms.Select(r => new RoomCountItem(r.Room, r.Members))],
            Ts = ChatEvents.Now(),
        });

    public static OutgoingMessage Error(string code, string msg, string? room = null) =>
        Frame(new RoomEvent { Type = "error", Room = room, Name = Nickname.Server, Msg = msg, Code = code, Ts = ChatEvents.Now() });

    private static OutgoingMessage Frame(RoomEvent e, bool isReplay = false)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            JsonSerializer.Serialize(writer, e, RoomJsonContext.Default.RoomEvent);
        }
        return OutgoingMessage.TrustedText(buffer.WrittenSpan, isReplay);
    }
}
