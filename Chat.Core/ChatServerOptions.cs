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
    /// Messages of a numbered stream (nick-broadcast's chat, each room) replayed to a joiner. Default
    /// 50; 0 replays none. At most <see cref="Retain"/>.
    /// </summary>
    public int HistorySize { get; init; } = 50;

    /// <summary>
    /// Messages each numbered stream keeps: what a reconnecting client can resume from. Default 1000;
    /// at least <see cref="HistorySize"/>. Whichever of this and <see cref="RetainBytes"/> is reached
    /// first, the oldest messages go.
    /// </summary>
    public int Retain { get; init; } = 1000;

    /// <summary>Bytes of message text (UTF-8) each numbered stream keeps. Default 1 MiB.</summary>
    public long RetainBytes { get; init; } = 1L << 20;

    /// <summary>
    /// Bytes of message text all streams kept in this process's memory hold together (the in-memory
    /// store); past it, the streams used least recently are forgotten first. Default 256 MiB.
    /// </summary>
    public long HistoryMemory { get; init; } = 256L << 20;

    /// <summary>
    /// A stream nobody has been in and nothing has been written to for this long is forgotten
    /// (history, offset, epoch); used again, it starts over under a new epoch. Default 24 hours.
    /// </summary>
    public TimeSpan StreamTtl { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// The most streams held at once, every node together. A room join that would create one more is
    /// refused (<c>too_many_streams</c>); nick-broadcast's chat counts but is never refused. Default 100000.
    /// </summary>
    public int MaxStreams { get; init; } = 100_000;

    /// <summary>
    /// How long a user's send <c>id</c> is remembered (every node, and across a restart with a durable
    /// store): a re-send within it gets the first send's ack with <c>duplicate</c> and is not delivered
    /// again. Default 10 minutes.
    /// </summary>
    public TimeSpan DedupWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Rooms one member may be in at once (rooms mode). Default 50.</summary>
    public int MaxRoomsPerMember { get; init; } = 50;

    /// <summary>Average messages per second one connection may send; 0 turns the limit off. Default 20: far above typing speed.</summary>
    public double MessagesPerSecond { get; init; } = 20;

    /// <summary>Messages one connection may send at once before the average applies. Default 40.</summary>
    public int MessageBurst { get; init; } = 40;

    /// <summary>How this server shares its chat with other nodes; null means a private <see cref="InMemoryBackplane"/> (a single node).</summary>
    public IChatBackplane? Backplane { get; init; }

    /// <summary>
    /// Who may not connect, and until when: shared by every node of the chat. Null means a private
    /// <see cref="InMemoryBanList"/>, right for a single node; with several nodes give them all one
    /// shared list (Chat.Redis's), or a ban made on one would not keep the user off the others.
    /// </summary>
    public IBanList? Bans { get; init; }

    /// <summary>
    /// Creates the server's <c>Fleck.Chat</c> meter (and owns it); null means the server creates its
    /// own and disposes it with the server. Each server has its own meter; a process that runs
    /// several servers and exports them together should tell them apart, e.g. with a factory whose
    /// meters carry a tag per server.
    /// </summary>
    public IMeterFactory? MeterFactory { get; init; }
}
