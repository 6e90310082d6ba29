using System.Diagnostics.Metrics;
using Fleck.Chat.Scaling;
using Fleck.Chat.Transport;

namespace Fleck.Chat;

/// <summary>Immutable settings of a <see cref="ChatServer"/>; every value has a documented default.</summary>
public sealed record ChatServerOptions
{
    /// <summary>The WebSocket server's address, port, limits, TLS and keepalive.</summary>
    public WebSocketServerOptions Transport { get; init; } = new();

    /// <summary>
    /// Messages kept per numbered stream (nick-broadcast's chat, each room): replayed to late joiners,
    /// and what a reconnecting client can resume from. Default 50; 0 keeps none (offsets still count).
    /// </summary>
    public int HistorySize { get; init; } = 50;

    /// <summary>Rooms one member may be in at once (rooms mode). Default 50.</summary>
    public int MaxRoomsPerMember { get; init; } = 50;

    /// <summary>Average messages per second one connection may send; 0 turns the limit off. Default 20: far above typing speed.</summary>
    public double MessagesPerSecond { get; init; } = 20;

    /// <summary>Messages one connection may send at once before the average applies. Default 40.</summary>
    public int MessageBurst { get; init; } = 40;

    /// <summary>How this server shares its chat with other nodes; null means a private <see cref="InMemoryBackplane"/> (a single node).</summary>
    public IChatBackplane? Backplane { get; init; }

    /// <summary>
    /// Creates the server's <c>Fleck.Chat</c> meter (and owns it); null means the server creates its
    /// own and disposes it with the server. Each server has its own meter; a process that runs
    /// several servers and exports them together should tell them apart, e.g. with a factory whose
    /// meters carry a tag per server.
    /// </summary>
    public IMeterFactory? MeterFactory { get; init; }
}
