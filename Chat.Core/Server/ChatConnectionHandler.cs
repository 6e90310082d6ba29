using Fleck.Chat.Identity;
using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Transport;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Server;

/// <summary>
/// Bridges the transport to a chat mode: wraps each connection in a <see cref="ChatMember"/>,
/// applies the rate limit, and on every kind of disconnect takes the member out of the room (its
/// nickname free at once) before the mode tells the others.
/// </summary>
internal sealed class ChatConnectionHandler(IChatMode mode, ChatRoom room, ChatServerOptions options, ChatCounters counters, BanCheck bans, ILogger logger)
    : IWebSocketHandler, IUpgradeGate
{
    private readonly TokenRefresh? _refresh = mode is NicknameChatMode ? new TokenRefresh(options.Transport.Authenticator, mode, counters, logger) : null;

    public bool AcceptsPath(string path) => mode.AcceptsPath(path);

    public ValueTask<string?> RefuseAsync(string path, ChatIdentity? identity, CancellationToken cancellationToken) =>
        bans.RefuseAsync(path, identity, cancellationToken);

    public AuthenticationResult Admit(string path, ChatIdentity identity) => IdentityAdmission.Admit(mode, path, identity);

    public async ValueTask OnOpenAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        var member = new ChatMember(connection)
        {
            Identity = connection.Identity,
            Counters = counters,
            RateLimiter = options.MessagesPerSecond > 0 ? new RateLimiter(options.MessagesPerSecond, options.MessageBurst) : null,
        };
        connection.HandlerState = member;
        await mode.OnConnectedAsync(member, room, cancellationToken).ConfigureAwait(false);
        await CloseIfBannedSinceAsync(member, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A ban is stored before its disconnect goes out, and a member is listed before this check: so a
    /// sign-in that passed the first check just before a ban is either found by the disconnect or
    /// sees the ban here.
    /// </summary>
    private async ValueTask CloseIfBannedSinceAsync(ChatMember member, CancellationToken cancellationToken)
    {
        if (member.HasJoined && member.Nickname is { } nickname && await bans.IsBannedAsync(nickname, cancellationToken).ConfigureAwait(false))
        {
            await member.CloseAsync(ChatErrorCode.CloseDisconnected, "Banned", cancellationToken).ConfigureAwait(false);
        }
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
                return OnAllowedMessageAsync(connection, member, message, cancellationToken);
            case RateDecision.DroppedFirst or RateDecision.Dropped when mode is NicknameChatMode && message.IsText && SendId.Peek(message.Data.Span) is { } id:
                // A send with an id waits for its ack: each one dropped is told so, by its id.
                member.Send(ChatEvents.Error(ChatErrorCode.RateLimited, "You are sending too fast; this message was dropped.", id));
                return ValueTask.CompletedTask;
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

    private ValueTask OnAllowedMessageAsync(WebSocketConnection connection, ChatMember member, WebSocketMessage message, CancellationToken cancellationToken)
    {
        if (_refresh is null || !message.IsText)
        {
            return mode.OnMessageAsync(member, message, room, cancellationToken);
        }
        // Every nickname mode takes a refresh the same way, before its own parsing of the message.
        if (member.HasJoined && TokenRefresh.TryRead(message.Data.Span, out var token))
        {
            return _refresh.HandleAsync(connection, member, token, cancellationToken);
        }
        if (!member.HasJoined && connection.Identity is null && NicknameChatMode.NicknameFromPath(connection.Path) is null)
        {
            return FirstMessageLoginAsync(member, message, cancellationToken);
        }
        return mode.OnMessageAsync(member, message, room, cancellationToken);
    }

    /// <summary>A login by first message names its user only now, past the upgrade's ban check.</summary>
    private async ValueTask FirstMessageLoginAsync(ChatMember member, WebSocketMessage message, CancellationToken cancellationToken)
    {
        if (await bans.IsBannedAsync(NicknameChatMode.NicknameFromFirstMessage(message.GetText()), cancellationToken).ConfigureAwait(false))
        {
            member.Send(ChatEvents.Error(ChatErrorCode.Banned, BanCheck.Refusal));
            await member.CloseAsync(ChatErrorCode.CloseDisconnected, "Banned", cancellationToken).ConfigureAwait(false);
            return;
        }
        await mode.OnMessageAsync(member, message, room, cancellationToken).ConfigureAwait(false);
        await CloseIfBannedSinceAsync(member, cancellationToken).ConfigureAwait(false);
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
