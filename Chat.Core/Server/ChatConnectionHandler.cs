using Fleck.Chat.Identity;
using Fleck.Chat.Modes;
using Fleck.Chat.Transport;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Server;

/// <summary>
/// Bridges the transport to a chat mode: wraps each connection in a <see cref="ChatMember"/>,
/// applies the rate limit, and on every kind of disconnect takes the member out of the room (its
/// nickname free at once) before the mode tells the others.
/// </summary>
internal sealed class ChatConnectionHandler(IChatMode mode, ChatRoom room, ChatServerOptions options, ChatCounters counters, ILogger logger)
    : IWebSocketHandler
{
    public bool AcceptsPath(string path) => mode.AcceptsPath(path);

    public AuthenticationResult Admit(string path, ChatIdentity identity) => IdentityAdmission.Admit(mode, path, identity);

    public ValueTask OnOpenAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        var member = new ChatMember(connection)
        {
            Identity = connection.Identity,
            Counters = counters,
            RateLimiter = options.MessagesPerSecond > 0 ? new RateLimiter(options.MessagesPerSecond, options.MessageBurst) : null,
        };
        connection.HandlerState = member;
        return mode.OnConnectedAsync(member, room, cancellationToken);
    }

    public ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message, CancellationToken cancellationToken)
    {
        var member = (ChatMember)connection.HandlerState!;
        counters.MessageReceived();
        if (StreamCommands.IsTyping(mode, member, message, out var typing))
        {
            // Throttled on its own (one per user and scope per 2 s): a typing must not use up the message rate.
            return StreamCommands.TypingAsync(mode, member, typing, room, cancellationToken);
        }
        switch (member.RateLimiter?.Take() ?? RateDecision.Allowed)
        {
            case RateDecision.Allowed:
                return mode.OnMessageAsync(member, message, room, cancellationToken);
            case RateDecision.DroppedFirst:
                return mode.OnRateLimitedAsync(member, room);
            case RateDecision.Abusive:
                logger.LogInformation("Connection {Id} from {Remote} keeps exceeding its rate limit; closing it", connection.Id, connection.RemoteEndPoint);
                _ = connection.CloseAsync(WebSocketCloseCode.PolicyViolation, "Rate limit exceeded");
                return ValueTask.CompletedTask;
            default:
                return ValueTask.CompletedTask;
        }
    }

    public async ValueTask OnCloseAsync(WebSocketConnection connection)
    {
        if (connection.HandlerState is not ChatMember member)
        {
            return;
        }
        await room.LeaveAsync(member, () => mode.OnDisconnectedAsync(member, room)).ConfigureAwait(false);
    }
}
