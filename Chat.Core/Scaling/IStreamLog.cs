using Fleck.Chat.Rooms;

namespace Fleck.Chat.Scaling;

/// <summary>
/// The numbered streams, the only history the chat keeps: nick-broadcast's chat and each room are
/// one stream each, named by a plain string key. Numbering is shared by all nodes, so every node
/// sees a stream's messages in the same order; a node hears them through its subscription on the
/// <see cref="INodeBus"/>.
/// </summary>
public interface IStreamLog
{
    /// <summary>
    /// What the streams may hold (kept messages and bytes, time to live, how many at once); set once,
    /// before <see cref="IChatBackplane.ConnectAsync"/>. A log that ignores it keeps streams unbounded.
    /// </summary>
    void LimitStreams(StreamLimits limits)
    {
    }

    /// <summary>
    /// Makes sure <paramref name="stream"/> exists before a member joins it, and marks it used:
    /// false, with nothing created, when it does not exist and <see cref="StreamLimits.MaxStreams"/>
    /// streams already do (all nodes counted). Reads and appends create a stream without this check.
    /// </summary>
    ValueTask<bool> TryOpenStreamAsync(string stream, CancellationToken cancellationToken) => ValueTask.FromResult(true);

    /// <summary>
    /// Numbers a message (the next offset of the stream, atomically across nodes), keeps it in the
    /// stream's history (the last <paramref name="capacity"/> messages) and hands it, in offset order,
    /// to every node subscribed to the stream, this one included, through
    /// <see cref="IBackplaneNode.DeliverStreamMessage"/>. Returns the entry.
    /// </summary>
    ValueTask<RoomEntry> AppendAsync(string stream, string name, string msg, long ts, int capacity, CancellationToken cancellationToken);

    /// <summary>The stream's epoch, latest offset and last <paramref name="count"/> messages, read together (consistently).</summary>
    ValueTask<RoomStreamState> ReadAsync(string stream, int count, CancellationToken cancellationToken);
}
