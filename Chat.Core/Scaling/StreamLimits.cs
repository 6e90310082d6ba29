namespace Fleck.Chat.Scaling;

/// <summary>
/// How much the numbered streams (nick-broadcast's chat, each room) may hold, so that no client can
/// grow the server for ever. A stream keeps its last <see cref="Retain"/> messages and at most
/// <see cref="RetainBytes"/> of text, whichever is reached first; one that nobody has been in and
/// nothing was written to for <see cref="Ttl"/> is forgotten (history, offset and epoch); at most
/// <see cref="MaxStreams"/> streams exist at once. The server hands these to its backplane
/// (<see cref="IStreamLog.LimitStreams"/>); the defaults are the server's.
/// </summary>
public sealed record StreamLimits
{
    /// <summary>Messages each stream keeps (what recovery can cover). Default 1000.</summary>
    public int Retain { get; init; } = 1000;

    /// <summary>Bytes of message text (UTF-8) each stream keeps. Default 1 MiB.</summary>
    public long RetainBytes { get; init; } = 1L << 20;

    /// <summary>Bytes of message text all streams kept in this process's memory hold together; past it the least recently used are forgotten first. Default 256 MiB.</summary>
    public long HistoryMemory { get; init; } = 256L << 20;

    /// <summary>How long a stream nobody is in and nothing is written to is kept. Default 24 hours.</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The most streams held at once, all nodes together. Default 100000.</summary>
    public int MaxStreams { get; init; } = 100_000;

    /// <summary>How long a user's send id is remembered, so a re-send is acknowledged and not delivered again. Default 10 minutes.</summary>
    public TimeSpan DedupWindow { get; init; } = TimeSpan.FromMinutes(10);
}
