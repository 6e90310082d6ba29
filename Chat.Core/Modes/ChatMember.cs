using System.Net;
using Fleck.Chat.Protocol;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Modes;

/// <summary>
/// A connected client as the chat sees it: the facts of its upgrade request, a way to send to it
/// and to close it, and its nickname once it has joined. The connection itself stays with the
/// server.
/// Thread-safety: every member may be called from any thread; <see cref="State"/> is the mode's to
/// guard (calls for one member never overlap).
/// </summary>
public sealed class ChatMember
{
    private readonly IMemberConnection _connection;

    // Set while the member is being welcomed (logging in, joining a stream): deliveries wait there
    // until the member has been sent what must reach it first. Null otherwise, which is all the
    // delivery paths check.
    private volatile DeliveryHold? _hold;

    internal ChatMember(IMemberConnection connection) => _connection = connection;

    /// <summary>The client's address and port.</summary>
    public IPEndPoint? RemoteEndPoint => _connection.RemoteEndPoint;

    /// <summary>Request path of the upgrade, still percent-encoded (e.g. <c>/websocket/%E5%B0%8F</c>).</summary>
    public string Path => _connection.Path;

    /// <summary>Query string of the upgrade request, without the leading '?'; empty when there was none.</summary>
    public string Query => _connection.Query;

    /// <summary>Header fields of the upgrade request, by case-insensitive name.</summary>
    public IReadOnlyDictionary<string, string> Headers => _connection.Headers;

    /// <summary>The negotiated subprotocol, or null.</summary>
    public string? SubProtocol => _connection.SubProtocol;

    /// <summary>Whether the connection runs over TLS.</summary>
    public bool IsSecure => _connection.IsSecure;

    /// <summary>True until a close has begun or the connection failed; after that every send is refused.</summary>
    public bool IsOpen => _connection.IsOpen;

    /// <summary>The registered nickname; null until the member has joined under one.</summary>
    public string? Nickname { get; internal set; }

    /// <summary>Who the connection belongs to when the server authenticates connections; null otherwise. Several members may share one identity.</summary>
    public Identity.ChatIdentity? Identity { get; internal init; }

    /// <summary>Whether the member is in the room (receives broadcasts).</summary>
    public bool HasJoined { get; internal set; }

    /// <summary>Free for the mode: per-member state. The server keeps its own elsewhere.</summary>
    public object? State { get; set; }

    /// <summary>
    /// Queues a message to this member only, at once. Returns false when the connection is closing
    /// or gone, or its queue is full (the client is then closed with 1008).
    /// </summary>
    public bool Send(OutgoingMessage message) => _connection.Send(message);

    /// <summary>
    /// Starts the closing handshake: what was queued before is still delivered, then a close frame
    /// with <paramref name="code"/> and <paramref name="reason"/>. The server then takes the member
    /// out of the room and calls <see cref="IChatMode.OnDisconnectedAsync"/>. Completes once the
    /// close frame has been written or the connection is gone.
    /// </summary>
    /// <param name="code">1000, a code from 1001-1003 or 1007-1014, or an application code from 3000-4999 (RFC 6455 §7.4).</param>
    /// <param name="reason">Shown to the client; cut to fit the 123 bytes a close frame allows.</param>
    /// <param name="cancellationToken">Stops the wait, not the close.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="code"/> may not be sent.</exception>
    public Task CloseAsync(int code, string? reason = null, CancellationToken cancellationToken = default)
    {
        if (code is not (>= 1000 and <= 1003 or >= 1007 and <= 1014 or >= 3000 and <= 4999))
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "A close code must be 1000-1003, 1007-1014 or 3000-4999 (RFC 6455 §7.4).");
        }
        return _connection.CloseAsync(code, reason, cancellationToken);
    }

    /// <summary>
    /// A delivery from the chat (a broadcast, a message routed to this member, a stream's message or
    /// event, marked with <paramref name="mark"/>). Held back while the member is being welcomed;
    /// otherwise straight to the connection. True when it was sent now (the caller counts it); a
    /// held message is counted when it is released.
    /// </summary>
    internal bool Deliver(OutgoingMessage message, StreamMark? mark = null)
    {
        var hold = _hold;
        return hold is null ? _connection.Send(message) : hold.Deliver(message, mark);
    }

    /// <summary>
    /// From now until <see cref="ReleaseDeliveries"/>, deliveries wait; call it before the member
    /// enters the chat or a stream. False when a hold is on already (a stream joined while logging
    /// in): the caller then leaves its release to whoever started it.
    /// </summary>
    internal bool HoldDeliveries()
    {
        if (_hold is not null)
        {
            return false;
        }
        _hold = new DeliveryHold(_connection, Counters);
        return true;
    }

    /// <summary>The hold overflowed (more piled up than the connection may queue): the member is being closed and is not to be welcomed.</summary>
    internal bool HoldOverflowed => _hold?.Overflowed ?? false;

    /// <summary>The server's totals, which count the deliveries released from a hold; null in tests that run a mode without a server.</summary>
    internal Server.ChatCounters? Counters { get; init; }

    /// <summary>Held deliveries for which <paramref name="alreadySent"/> (or an earlier such filter) says true are dropped on release; filters see them in order.</summary>
    internal void SkipHeldCopies(Func<OutgoingMessage, StreamMark?, bool> alreadySent) => _hold?.Skip(alreadySent);

    /// <summary>Passes on everything held, in order, and returns to direct delivery.</summary>
    internal void ReleaseDeliveries()
    {
        if (_hold is { } hold)
        {
            hold.Release();
            _hold = null;
        }
    }

    internal Server.RateLimiter? RateLimiter { get; set; }

    internal bool SpeaksV3 => QueryFlags.HasV3(Query);

    /// <summary>Position in the room's member set, for O(1) removal.</summary>
    internal int Slot { get; set; } = -1;
}
