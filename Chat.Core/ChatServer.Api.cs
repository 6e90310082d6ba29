using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;

namespace Fleck.Chat;

/// <summary>
/// What an embedding application (or the host's HTTP API) may do to the chat from outside it:
/// speak to everyone (or, in rooms mode, to one room), speak to one user, disconnect a user, and
/// ask who is online (or who is in a room). Every call works across all nodes that share the
/// chat's backplane.
/// </summary>
public sealed partial class ChatServer
{
    /// <summary>
    /// Says <paramref name="text"/> to everyone on every node, in the way the mode shows the
    /// server speaking (<see cref="Modes.IChatMode.OnServerMessageAsync"/>): broadcast mode relays
    /// the text as it is; the nickname modes send a <c>message</c> event from <c>"server"</c>, a
    /// name no user can hold, and nick-broadcast numbers it and keeps it in the history like any
    /// other message. In rooms mode that event carries no room and is kept nowhere; to speak in a
    /// room, use <see cref="PublishToRoomAsync"/>.
    /// </summary>
    /// <returns>The message's offset in nick-broadcast's stream; null in the modes without offsets.</returns>
    /// <exception cref="ArgumentException"><paramref name="text"/> is null or empty.</exception>
    /// <exception cref="Scaling.BackplaneUnavailableException">nick-broadcast's stream cannot be reached right now; nothing was sent.</exception>
    public async Task<long?> PublishAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        return await Mode.OnServerMessageNumberedAsync(text, _room, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends <paramref name="text"/> to <paramref name="user"/> as a <c>private</c> event from
    /// <c>"server"</c>, on whichever node the user is connected to.
    /// </summary>
    /// <returns>False when nobody online holds that nickname (always, in broadcast mode, which has no nicknames).</returns>
    /// <exception cref="ArgumentException"><paramref name="user"/> or <paramref name="text"/> is null or empty.</exception>
    /// <exception cref="Scaling.BackplaneUnavailableException">The user is not on this node and the other nodes cannot be asked right now.</exception>
    public async Task<bool> SendToUserAsync(string user, string text, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        ArgumentException.ThrowIfNullOrEmpty(text);
        user = user.Trim();
        var message = ChatEvents.Private(Nickname.Server, user, text, ChatEvents.Now());
        return await _room.SendToUserAsync(user, message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Closes every connection of <paramref name="user"/>, on every node, with close code
    /// <see cref="ChatErrorCode.CloseDisconnected"/> (4004); the others see the user leave as usual.
    /// Idempotent: a user who is not online is not an error. Returns once the request is on its
    /// way; the connections close shortly after.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="user"/> is null or empty.</exception>
    public Task DisconnectUserAsync(string user, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        cancellationToken.ThrowIfCancellationRequested();
        _room.Disconnect(user.Trim(), ChatErrorCode.CloseDisconnected);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The nicknames online on every node, sorted case-insensitively. Empty in broadcast mode,
    /// which has no nicknames.
    /// </summary>
    /// <exception cref="Scaling.BackplaneUnavailableException">The other nodes cannot be counted right now: a list of this node's alone would pass for everyone.</exception>
    public async Task<IReadOnlyList<string>> GetOnlineUsersAsync(CancellationToken cancellationToken = default)
    {
        var nicknames = await _room.GetOnlineEverywhereAsync(cancellationToken).ConfigureAwait(false);
        return [.. nicknames.Order(Nickname.Comparer)];
    }

    /// <summary>
    /// Only for a mode with rooms (<see cref="IChatMode.HasRooms"/>), such as rooms mode: says <paramref name="text"/> in <paramref name="room"/> as a <c>message</c>
    /// event from <c>"server"</c>, a name no user can hold. The message is numbered with the room's
    /// next offset, kept in the room's history and delivered to the room's members on every node,
    /// like any member's message there; nobody outside the room gets it. A room nobody is in
    /// keeps it for whoever joins.
    /// </summary>
    /// <param name="room">The room's name, by the rule of <see cref="RoomName"/> (letters are lower-cased).</param>
    /// <param name="text">The message.</param>
    /// <param name="cancellationToken">Cancels the wait; the message may have been sent all the same.</param>
    /// <returns>The message's offset in the room's stream.</returns>
    /// <exception cref="ArgumentException"><paramref name="room"/> is not a valid room name, or <paramref name="text"/> is null or empty.</exception>
    /// <exception cref="NotSupportedException">The chat's mode has no rooms (<see cref="IChatMode.HasRooms"/> is false).</exception>
    /// <exception cref="Scaling.BackplaneUnavailableException">The room's shared stream cannot be reached right now; nothing was sent.</exception>
    public async Task<long> PublishToRoomAsync(string room, string text, CancellationToken cancellationToken = default)
    {
        var name = RoomArgument(room);
        ArgumentException.ThrowIfNullOrEmpty(text);
        return await _room.Rooms.PublishAsync(name, Nickname.Server, text, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Only for a mode with rooms (<see cref="IChatMode.HasRooms"/>), such as rooms mode: the members of <paramref name="room"/> on every node, each user once,
    /// sorted case-insensitively. Empty for a room nobody is in.
    /// </summary>
    /// <param name="room">The room's name, by the rule of <see cref="RoomName"/> (letters are lower-cased).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="ArgumentException"><paramref name="room"/> is not a valid room name.</exception>
    /// <exception cref="NotSupportedException">The chat's mode has no rooms (<see cref="IChatMode.HasRooms"/> is false).</exception>
    /// <exception cref="Scaling.BackplaneUnavailableException">The other nodes' members cannot be counted right now.</exception>
    public async Task<IReadOnlyList<string>> GetRoomUsersAsync(string room, CancellationToken cancellationToken = default)
    {
        var name = RoomArgument(room);
        var members = await _room.Rooms.GetGroupMembersAsync(name, cancellationToken).ConfigureAwait(false);
        return [.. members.Order(Nickname.Comparer)];
    }

    /// <summary>The normalized room name; throws unless this chat has rooms and the name is valid.</summary>
    private string RoomArgument(string room)
    {
        if (!Mode.HasRooms)
        {
            throw new NotSupportedException($"A {Mode.Name} chat has no rooms.");
        }
        if (!RoomName.TryNormalize(room, out var name))
        {
            throw new ArgumentException($"\"{room}\" is not a room name: 1-{RoomName.MaxLength} letters, digits, '_' or '-', starting with a letter or digit.", nameof(room));
        }
        return name;
    }
}
