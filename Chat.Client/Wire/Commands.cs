namespace Fleck.Chat.Client.Wire;

/// <summary>The commands the client sends, as JSON bytes (PROTOCOL.md and SPEC Part 3).</summary>
internal static class Commands
{
    /// <summary>nick-broadcast: <c>{"msg":…,"id":…}</c>.</summary>
    public static byte[] Chat(string text, string id) => WireJson.Encode(new() { Msg = text, Id = id });

    /// <summary>rooms: <c>{"type":"message","room":…,"msg":…,"id":…}</c>.</summary>
    public static byte[] RoomMessage(string room, string text, string id) =>
        WireJson.Encode(new() { Type = "message", Room = room, Msg = text, Id = id });

    /// <summary>private: <c>{"msg":…,"to_client":…,"id":…}</c>.</summary>
    public static byte[] Private(string to, string text, string id) => WireJson.Encode(new() { Msg = text, ToClient = to, Id = id });

    /// <summary>rooms: join, resuming from <paramref name="resume"/> when the client was in the room before.</summary>
    public static byte[] Join(string room, StreamPosition? resume) =>
        WireJson.Encode(new() { Type = "join", Room = room, Since = resume?.ResumeFrom, Epoch = resume?.Epoch });

    public static byte[] Leave(string room) => WireJson.Encode(new() { Type = "leave", Room = room });

    public static byte[] Rooms() => WireJson.Encode(new() { Type = "rooms" });

    public static byte[] History(string? room, long? before, int? limit) =>
        WireJson.Encode(new() { Type = "history", Room = room, Before = before, Limit = limit });

    public static byte[] Typing(string? room, string? to) => WireJson.Encode(new() { Type = "typing", Room = room, ToClient = to });

    public static byte[] Read(string? room, long offset) => WireJson.Encode(new() { Type = "read", Room = room, Offset = offset });

    public static byte[] Refresh(string token) => WireJson.Encode(new() { Type = "refresh", Token = token });
}
