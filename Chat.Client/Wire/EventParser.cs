namespace Fleck.Chat.Client.Wire;

/// <summary>Turns the wire's shapes into the public records: messages, pages, rooms.</summary>
internal static class EventParser
{
    /// <summary>The message a <c>message</c>, <c>history</c> or <c>private</c> event carries.</summary>
    public static ChatMessage Message(WireEvent e) =>
        new(e.Name ?? "", e.Msg ?? "", Time(e.Ts), e.Offset ?? 0, e.Id, e.ToClient);

    public static HistoryPage Page(WireEvent e) =>
        new([.. (e.Messages ?? []).Select(m => new ChatMessage(m.Name ?? "", m.Msg ?? "", Time(m.Ts), m.Offset, m.Id, m.ToClient))], e.More);

    public static RoomsEvent Rooms(WireEvent e) =>
        new([.. (e.Rooms ?? []).Select(r => new RoomInfo(r.Room ?? "", r.Members))]);

    public static ErrorEvent Error(WireEvent e) => new(e.Code ?? "", e.Msg ?? "", e.Room, e.Id);

    public static ChatErrorException Exception(WireEvent e) => new(e.Code ?? "error", e.Msg ?? "The server refused the command.");

    /// <summary>A room name as the server spells it: ASCII letters lower-cased (PROTOCOL.md, Rooms).</summary>
    public static string RoomKey(string room) =>
        string.Create(room.Length, room, static (chars, r) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = char.IsAsciiLetterUpper(r[i]) ? (char)(r[i] | 0x20) : r[i];
            }
        });

    private static DateTimeOffset Time(long unixMilliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);
}
