using Fleck.Chat.Rooms;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Protocol;

/// <summary>Builds the events of rooms mode, each serialized once into a frame shared by all its recipients.</summary>
internal static class RoomEvents
{
    public static OutgoingMessage Message(string room, RoomEntry entry) =>
        Frame(new ServerEvent { Type = "message", Room = room, Name = entry.Name, Msg = entry.Msg, Ts = entry.Ts, Offset = entry.Offset, Id = entry.Id });

    public static OutgoingMessage History(string room, RoomEntry entry) =>
        Frame(new ServerEvent { Type = "history", Room = room, Name = entry.Name, Msg = entry.Msg, Ts = entry.Ts, Offset = entry.Offset, Id = entry.Id }, isReplay: true);

    public static OutgoingMessage Joined(RoomSnapshot snapshot, long? read = null) =>
        Frame(new ServerEvent
        {
            Type = "joined",
            Room = snapshot.Room,
            Name = Nickname.Server,
            Msg = $"You joined #{snapshot.Room}. Here ({snapshot.Users.Count}): {string.Join(", ", snapshot.Users)}",
            Users = snapshot.Users,
            Epoch = snapshot.Epoch,
            Offset = snapshot.Offset,
            Read = read,
            Ts = ChatEvents.Now(),
        });

    public static OutgoingMessage Recovered(string room, bool recovered, int count) =>
        Frame(new ServerEvent
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
        Frame(new ServerEvent { Type = "join", Room = room, Name = Nickname.Server, Msg = $"{user} joined #{room}", User = user, Ts = ChatEvents.Now() });

    public static OutgoingMessage Left(string room) =>
        Frame(new ServerEvent { Type = "left", Room = room, Name = Nickname.Server, Msg = $"You left #{room}", Ts = ChatEvents.Now() });

    public static OutgoingMessage Leave(string room, string user) =>
        Frame(new ServerEvent { Type = "leave", Room = room, Name = Nickname.Server, Msg = $"{user} left #{room}", User = user, Ts = ChatEvents.Now() });

    public static OutgoingMessage Rooms(IReadOnlyList<RoomCount> rooms) =>
        Frame(new ServerEvent
        {
            Type = "rooms",
            Name = Nickname.Server,
            Msg = rooms.Count == 0 ? "No rooms yet." : "Rooms: " + string.Join(", ", rooms.Select(r => $"#{r.Room} ({r.Members})")),
            Rooms = [.. rooms.Select(r => new RoomCountItem(r.Room, r.Members))],
            Ts = ChatEvents.Now(),
        });

    /// <summary>An error, about <paramref name="room"/> if it names one; <paramref name="id"/> is the id of the send that caused it, if it had one.</summary>
    public static OutgoingMessage Error(string code, string msg, string? room = null, string? id = null) =>
        Frame(new ServerEvent { Type = "error", Room = room, Name = Nickname.Server, Msg = msg, Code = code, Ts = ChatEvents.Now(), Id = id });

    private static OutgoingMessage Frame(ServerEvent e, bool isReplay = false) => ChatEvents.Frame(e, isReplay);
}
