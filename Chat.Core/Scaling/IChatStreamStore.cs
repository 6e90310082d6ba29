using Fleck.Chat.Rooms;

namespace Fleck.Chat.Scaling;

/// <summary>
/// Where a single-node chat keeps its numbered streams (the chat of nick-broadcast, each room):
/// per stream its epoch, latest offset and recent messages. The chat serves every read from memory
/// and numbers messages itself; the store only has to remember, so an embedding application can put
/// the history in its own database. <see cref="InMemoryChatStreamStore"/> is the default (nothing
/// survives the process); the Fleck.Chat.Sqlite package keeps it in a file.
/// <para>
/// The rule that keeps clients honest: a client that saw offset N of epoch E may later ask to resume
/// from (N, E). So whenever a message that may have been delivered with offset N can be lost, or N
/// can be given to another message (after a crash, before the store had written it), the store must
/// hand out a new epoch for that stream on the next <see cref="OpenStreamAsync"/>. A clean
/// <see cref="IAsyncDisposable.DisposeAsync"/> writes everything and keeps the epochs.
/// </para>
/// Thread-safety: every member may be called concurrently; <see cref="Append"/> calls for one stream
/// come in offset order, one at a time.
/// </summary>
public interface IChatStreamStore : IAsyncDisposable
{
    /// <summary>
    /// The stream as it was left: its epoch (a new one for a stream never seen, or one whose recent
    /// messages may have been lost), the latest offset given out (0 for a new stream) and the kept
    /// messages, oldest first, consecutive and ending at that offset. Called when the chat first uses a
    /// stream, before any <see cref="Append"/> to it, and again if it unloaded the stream to free memory
    /// (after everything appended was flushed) or forgot it.
    /// </summary>
    ValueTask<RoomStreamState> OpenStreamAsync(string stream, CancellationToken cancellationToken);

    /// <summary>
    /// Records a message already numbered (<see cref="RoomEntry.Offset"/> is the stream's latest
    /// offset plus one), keeping the last <paramref name="capacity"/> messages of the stream (0: none,
    /// but the offset is still recorded). Called on the delivery path: it must not block on I/O, so a
    /// durable store queues the write and does it behind (batched).
    /// </summary>
    void Append(string stream, RoomEntry entry, int capacity);

    /// <summary>
    /// Forgets <paramref name="streams"/> (epoch, offset, messages): each was unused for the stream
    /// time to live. A later <see cref="OpenStreamAsync"/> of one starts it over under a new epoch.
    /// Not on the delivery path (the server's upkeep calls it), so it may write at once.
    /// </summary>
    void Forget(IReadOnlyCollection<string> streams)
    {
    }

    /// <summary>
    /// The streams the store holds from before this process opened it, with when each was last used,
    /// so that the chat can forget them once unused for the stream time to live. Called once, at start.
    /// </summary>
    ValueTask<IReadOnlyList<StoredStream>> ListStreamsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<StoredStream>>([]);

    /// <summary>
    /// Records an acknowledged send (a user's id and its ack), so a re-send after a restart is not
    /// doubled. On the delivery path like <see cref="Append"/>: queue and write behind. The default keeps nothing.
    /// </summary>
    void RecordSent(StoredSend send)
    {
    }

    /// <summary>The sends recorded at or after <paramref name="since"/> (Unix milliseconds); called once, at start.</summary>
    ValueTask<IReadOnlyList<StoredSend>> ListSentAsync(long since, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<StoredSend>>([]);

    /// <summary>Forgets the sends recorded before <paramref name="cutoff"/> (Unix milliseconds); called by the upkeep.</summary>
    void ForgetSentBefore(long cutoff)
    {
    }

    /// <summary>
    /// Records that <paramref name="user"/> has read <paramref name="stream"/> up to
    /// <paramref name="offset"/> (the chat only ever moves a marker forward). Called on a client's
    /// command: it must not block on I/O. Forgotten with the stream. The default keeps nothing.
    /// </summary>
    void SaveRead(string stream, string user, long offset)
    {
    }

    /// <summary>The read markers kept for <paramref name="stream"/>, by user; read with <see cref="OpenStreamAsync"/>. The default has none.</summary>
    ValueTask<IReadOnlyDictionary<string, long>> ReadMarkersAsync(string stream, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyDictionary<string, long>>(new Dictionary<string, long>());

    /// <summary>Completes once everything appended before the call has been written.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Whether the store is failing to keep what is appended right now (its last write failed). The
    /// chat goes on delivering live; the host reports <c>degraded</c> health. False for a store in memory.
    /// </summary>
    bool IsFailing => false;

    /// <summary>
    /// Appends not kept since the store was opened: written in a transaction that failed, or dropped
    /// because the write queue was full. Reported as <c>fleck.chat.store.errors</c>. Zero for a store in memory.
    /// </summary>
    long ErrorCount => 0;
}

/// <summary>A stream a store holds, and when it was last used.</summary>
/// <param name="Name">The stream's name.</param>
/// <param name="LastUsed">Unix time in milliseconds of its last message or opening.</param>
public sealed record StoredStream(string Name, long LastUsed);
