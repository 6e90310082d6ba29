using Fleck.Chat.Transport;

namespace Fleck.Chat.Modes;

/// <summary>A connected client as the chat sees it: its connection, and its nickname once it has joined.</summary>
public sealed class ChatMember
{
    internal ChatMember(WebSocketConnection connection) => Connection = connection;

    /// <summary>The client's connection (endpoint, path, headers; sending and closing).</summary>
    public WebSocketConnection Connection { get; }

    /// <summary>The registered nickname; null until the member has joined under one.</summary>
    public string? Nickname { get; internal set; }

    /// <summary>Who the connection belongs to when the server authenticates connections; null otherwise. Several members may share one identity.</summary>
    public Identity.ChatIdentity? Identity { get; internal init; }

    /// <summary>Whether the member is in the room (receives broadcasts).</summary>
    public bool HasJoined { get; internal set; }

    /// <summary>Free for the mode: per-member state.</summary>
    public object? State { get; set; }

    /// <summary>Queues a message to this member only.</summary>
    public bool Send(OutgoingMessage message) => Connection.Send(message);

    internal Server.RateLimiter? RateLimiter { get; set; }

    /// <summary>Position in the room's member set, for O(1) removal.</summary>
    internal int Slot { get; set; } = -1;
}
