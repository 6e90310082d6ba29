using Fleck.Chat.Protocol;

namespace Fleck.Chat;

/// <summary>
/// What an embedding application (or the host's HTTP API) may do to the chat from outside it:
/// speak to everyone, speak to one user, disconnect a user, and ask who is online. Every call
/// works across all nodes that share the chat's backplane.
/// </summary>
public sealed partial class ChatServer
{
    /// <summary>
    /// Says <paramref name="text"/> to everyone on every node, in the way the mode shows the
    /// server speaking (<see cref="Modes.IChatMode.OnServerMessageAsync"/>): broadcast mode relays
    /// the text as it is; the nickname modes send a <c>message</c> event from <c>"server"</c>, a
    /// name no user can hold, and nick-broadcast numbers it and keeps it in the history like any
    /// other message.
    /// </summary>
    /// <returns>The message's offset in nick-broadcast's stream; null in the modes without offsets (or when the stream could not be reached).</returns>
    /// <exception cref="ArgumentException"><paramref name="text"/> is null or empty.</exception>
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
    public async Task<bool> SendToUserAsync(string user, string text, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        ArgumentException.ThrowIfNullOrEmpty(text);
        user = user.Trim();
        var message = ChatEvents.Private(Nickname.Server, user, text, ChatEvents.Now());
        return await _room.SendToAsync(user, message, cancellationToken).ConfigureAwait(false);
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
    /// The nicknames online on every node, sorted case-insensitively; while the backplane is
    /// unreachable, this node's only. Empty in broadcast mode, which has no nicknames.
    /// </summary>
    public async Task<IReadOnlyList<string>> GetOnlineUsersAsync(CancellationToken cancellationToken = default)
    {
        var nicknames = await _room.GetNicknamesAsync(cancellationToken).ConfigureAwait(false);
        return [.. nicknames.Order(Nickname.Comparer)];
    }
}
