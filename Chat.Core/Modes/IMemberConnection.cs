using System.Net;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Modes;

/// <summary>
/// What the chat layer uses of a client connection: the facts of its upgrade request, sending,
/// closing. <see cref="WebSocketConnection"/> is the implementation; the seam keeps the rest of the
/// connection (abort, the application's tag, counters) out of the modes' reach, and lets the room's
/// orderings be tested without sockets.
/// Thread-safety: every member may be called from any thread.
/// </summary>
internal interface IMemberConnection
{
    IPEndPoint? RemoteEndPoint { get; }

    string Path { get; }

    string Query { get; }

    IReadOnlyDictionary<string, string> Headers { get; }

    string? SubProtocol { get; }

    bool IsSecure { get; }

    bool IsOpen { get; }

    bool Send(OutgoingMessage message);

    /// <summary>Most messages that may wait to be written to the client (<see cref="WebSocketServerOptions.MaxQueuedMessages"/>); also the most a welcome may hold back for it.</summary>
    int QueueLimit { get; }

    Task CloseAsync(int code, string? reason, CancellationToken cancellationToken);
}
