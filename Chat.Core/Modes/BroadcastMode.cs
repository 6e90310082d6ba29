using Fleck.Chat.Transport;

namespace Fleck.Chat.Modes;

/// <summary>
/// Group chat without nicknames (the seed's first model): every message from any client goes, as
/// it is, to every connected client, the sender included. Path <c>/websocket</c>.
/// </summary>
public sealed class BroadcastMode : IChatMode
{
    /// <inheritdoc />
    public string Name => "broadcast";

    /// <inheritdoc />
    public bool AcceptsPath(string path) => path is "/websocket" or "/websocket/";

    /// <inheritdoc />
    public async ValueTask OnConnectedAsync(ChatMember member, IChatRoom room, CancellationToken cancellationToken) =>
        await room.TryJoinAsync(member, nickname: null, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public ValueTask OnMessageAsync(ChatMember member, WebSocketMessage message, IChatRoom room, CancellationToken cancellationToken)
    {
        // The transport has already checked that text is UTF-8, so the bytes are relayed untouched.
        room.SendToAll(message.IsText ? OutgoingMessage.TrustedText(message.Data.Span) : OutgoingMessage.Binary(message.Data.Span));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask OnDisconnectedAsync(ChatMember member, IChatRoom room) => ValueTask.CompletedTask;
}
