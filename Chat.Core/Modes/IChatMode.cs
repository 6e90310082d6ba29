using Fleck.Chat.Transport;

namespace Fleck.Chat.Modes;

/// <summary>
/// A chat model: the strategy a connection's life is handed to. The server calls
/// <see cref="OnConnectedAsync"/> once, <see cref="OnMessageAsync"/> for each message (already
/// rate-limited), and <see cref="OnDisconnectedAsync"/> once, after the member has left the room.
/// Calls for one member never overlap. A mode never touches sockets: it talks through the
/// <see cref="IChatRoom"/>.
/// </summary>
public interface IChatMode
{
    /// <summary>The name the host's <c>--mode</c> flag uses, e.g. <c>nick-broadcast</c>.</summary>
    string Name { get; }

    /// <summary>Whether a WebSocket upgrade on <paramref name="path"/> belongs to this mode; others get 404.</summary>
    bool AcceptsPath(string path);

    /// <summary>
    /// Whether this mode puts its members in rooms (through <see cref="IChatRoom.Rooms"/>), so that the
    /// server's room calls (<see cref="ChatServer.PublishToRoomAsync"/>, <see cref="ChatServer.GetRoomUsersAsync"/>)
    /// and the host's room API apply to it; without it they answer that the chat has no rooms. The
    /// default is false; <see cref="RoomsMode"/> says true, and so may a custom mode that offers rooms.
    /// </summary>
    bool HasRooms => false;

    /// <summary>A client connected. Typically the mode joins it to the room here (or after a login message).</summary>
    ValueTask OnConnectedAsync(ChatMember member, IChatRoom room, CancellationToken cancellationToken);

    /// <summary>A message from the client.</summary>
    ValueTask OnMessageAsync(ChatMember member, WebSocketMessage message, IChatRoom room, CancellationToken cancellationToken);

    /// <summary>The client is gone and already out of the room (its nickname is free); tell the others if it had joined.</summary>
    ValueTask OnDisconnectedAsync(ChatMember member, IChatRoom room);

    /// <summary>The client exceeded its message rate; the message was dropped. The default says nothing.</summary>
    ValueTask OnRateLimitedAsync(ChatMember member, IChatRoom room) => ValueTask.CompletedTask;

    /// <summary>
    /// The server itself says something to everyone (<see cref="ChatServer.PublishAsync"/>). The
    /// default relays the text as it is to every member on every node, as broadcast mode relays a
    /// client's message; a mode with its own message format sends it in that format.
    /// </summary>
    ValueTask OnServerMessageAsync(string text, IChatRoom room, CancellationToken cancellationToken)
    {
        room.SendToAll(OutgoingMessage.Text(text));
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// As <see cref="OnServerMessageAsync"/>, and tells the message's offset where the mode numbers
    /// its messages (nick-broadcast); null otherwise.
    /// The default calls <see cref="OnServerMessageAsync"/> and returns null.
    /// </summary>
    async ValueTask<long?> OnServerMessageNumberedAsync(string text, IChatRoom room, CancellationToken cancellationToken)
    {
        await OnServerMessageAsync(text, room, cancellationToken).ConfigureAwait(false);
        return null;
    }
}
