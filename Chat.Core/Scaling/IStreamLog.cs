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

    /// <summary>
    /// Numbers a message as <see cref="AppendAsync(string, string, string, long, int, CancellationToken)"/>
    /// does, carrying its id, target and origin mark, and, with <see cref="StreamAppend.CopyTo"/>, in a second
    /// stream too. With an id and a user, the send is deduplicated here, on the stream-log side, because
    /// only the log can check and record it atomically with the numbering (across nodes, two sends of one
    /// id at the same moment are numbered once): when the user's id was recorded within
    /// <see cref="StreamLimits.DedupWindow"/>, nothing is numbered and the result is a duplicate with the
    /// first send's offset; otherwise the id is recorded with the offset in <see cref="StreamAppend.Stream"/>.
    /// The default numbers through the plain overload, keeping neither id nor copy (no dedup).
    /// </summary>
    async ValueTask<StreamAppendResult> AppendAsync(StreamAppend append, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(append);
        var entry = await AppendAsync(append.Stream, append.Name, append.Msg, append.Ts, append.Capacity, cancellationToken).ConfigureAwait(false);
        return new StreamAppendResult(entry with { Id = append.Id, To = append.To });
    }

    /// <summary>
    /// The acknowledgement of the user's send with <paramref name="id"/>, if one was recorded within
    /// <see cref="StreamLimits.DedupWindow"/> (on any node); null otherwise. The cheap check a send with an
    /// id makes first. The default records nothing, so it finds nothing.
    /// </summary>
    ValueTask<SentMessage?> FindSentAsync(string user, string id, CancellationToken cancellationToken) => ValueTask.FromResult<SentMessage?>(null);

    /// <summary>
    /// Records a send that was not numbered (a private message without inbox) unless the user's id is
    /// recorded already; returns what is recorded now (the earlier one for a duplicate).
    /// </summary>
    ValueTask<SentMessage> RecordSentAsync(string user, string id, SentMessage sent, CancellationToken cancellationToken) => ValueTask.FromResult(sent);

    /// <summary>
    /// Whether the stream exists now (it was used within the time to live), without creating or
    /// touching it. A private message to a user who is not online is kept only when the user's inbox
    /// exists. The default says false, so such a message is refused as in Part 1.
    /// </summary>
    ValueTask<bool> StreamExistsAsync(string stream, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    /// <summary>The stream's epoch, latest offset and last <paramref name="count"/> messages, read together (consistently).</summary>
    ValueTask<RoomStreamState> ReadAsync(string stream, int count, CancellationToken cancellationToken);

    /// <summary>
    /// A page of older history: of the kept messages with an offset below <paramref name="before"/>
    /// (all kept ones when null), the newest <paramref name="limit"/>, oldest first, and whether older
    /// ones are still kept. A stream that does not exist gives <see cref="StreamPage.Empty"/> and is not
    /// created; nor does a read mark the stream used. The default filters <see cref="ReadAsync"/>, which
    /// may create the stream: a log that can tell should override it.
    /// </summary>
    async ValueTask<StreamPage> ReadPageAsync(string stream, long? before, int limit, CancellationToken cancellationToken)
    {
        var state = await ReadAsync(stream, int.MaxValue, cancellationToken).ConfigureAwait(false);
        return StreamPage.Of(state.History, before, limit);
    }

    /// <summary>
    /// Moves <paramref name="user"/>'s read marker in <paramref name="stream"/> forward to
    /// <paramref name="offset"/>, capped at the stream's latest offset; kept with the stream (same store,
    /// same expiry). Returns the new marker when it moved, null when it did not (not forward, or no such
    /// stream: a marker never creates one). The default keeps no markers.
    /// </summary>
    ValueTask<long?> MarkReadAsync(string stream, string user, long offset, CancellationToken cancellationToken) => ValueTask.FromResult<long?>(null);

    /// <summary><paramref name="user"/>'s read marker in <paramref name="stream"/>: 0 when none (or no such stream). The default keeps no markers.</summary>
    ValueTask<long> GetReadAsync(string stream, string user, CancellationToken cancellationToken) => ValueTask.FromResult(0L);
}
