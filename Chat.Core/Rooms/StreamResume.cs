namespace Fleck.Chat.Rooms;

/// <summary>
/// Decides what a joiner of a numbered stream is sent: the messages it missed when it can resume,
/// else the recent history. Pure, so the rule is tested without sockets.
/// </summary>
internal static class StreamResume
{
    /// <summary>
    /// The snapshot a joiner gets from <paramref name="state"/> (read after it entered the stream):
    /// without <paramref name="from"/>, the recent history (its last <paramref name="historySize"/>
    /// messages). With it, when the epoch is the stream's and every message after
    /// <see cref="StreamPosition.Since"/> is still kept, exactly those messages and Recovered true;
    /// otherwise the recent history and Recovered false.
    /// </summary>
    public static RoomSnapshot Snapshot(string room, IReadOnlyList<string> users, RoomStreamState state, StreamPosition? from, int historySize)
    {
        if (from is null)
        {
            return new RoomSnapshot(room, users, state.Epoch, state.Offset, Recent(state.History, historySize));
        }
        return TryMissed(state, from, out var missed)
            ? new RoomSnapshot(room, users, state.Epoch, state.Offset, missed, Recovered: true)
            : new RoomSnapshot(room, users, state.Epoch, state.Offset, Recent(state.History, historySize), Recovered: false);
    }

    /// <summary>How much of a stream a join reads: a joiner is replayed the recent history; one that resumes may need everything kept.</summary>
    public static int ReadCount(StreamPosition? from, int historySize, int retain) => from is null ? historySize : retain;

    private static IReadOnlyList<RoomEntry> Recent(IReadOnlyList<RoomEntry> history, int count) =>
        history.Count <= count ? history : [.. history.Skip(history.Count - count)];

    /// <summary>The kept messages after <paramref name="from"/>, if they are all of them.</summary>
    internal static bool TryMissed(RoomStreamState state, StreamPosition from, out IReadOnlyList<RoomEntry> missed)
    {
        missed = [];
        if (from.Epoch != state.Epoch || from.Since < 0 || from.Since > state.Offset)
        {
            // Another epoch: offsets may name other messages. Past the latest: not from this stream.
            return false;
        }
        var after = state.History.Where(e => e.Offset > from.Since).ToArray();
        // The history is consecutive and ends at the latest offset: all are there when the count fits.
        if (after.Length != state.Offset - from.Since)
        {
            return false;
        }
        missed = after;
        return true;
    }
}
