using Fleck.Chat.Rooms;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Protocol;

/// <summary>The events of history pages, typing and read markers; their <c>room</c> is null outside rooms mode.</summary>
internal static class StreamEvents
{
    public static OutgoingMessage Page(string? room, StreamPage page) =>
        ChatEvents.Frame(new ServerEvent { Type = "page", Room = room, Name = Nickname.Server, Msg = "", Ts = ChatEvents.Now(), Messages = page.Messages, More = page.More });

    public static OutgoingMessage Typing(string? room, string user) =>
        ChatEvents.Frame(new ServerEvent { Type = "typing", Room = room, Name = Nickname.Server, Msg = "", Ts = ChatEvents.Now(), User = user });

    public static OutgoingMessage Read(string? room, long offset) =>
        ChatEvents.Frame(new ServerEvent { Type = "read", Room = room, Name = Nickname.Server, Msg = "", Ts = ChatEvents.Now(), Offset = offset });
}
