namespace Fleck.Chat.Server;

/// <summary>Running totals of one chat server, updated once per message (not per recipient).</summary>
internal sealed class ChatCounters
{
    private long _received;
    private long _delivered;
    private long _bytes;
    private long _recovered;
    private long _unrecovered;
    private long _bans;
    private long _refreshesAccepted;
    private long _refreshesRefused;
    private long _acks;
    private long _duplicates;
    private long _typingDropped;

    public long Received => Volatile.Read(ref _received);
    public long DeliveredCount => Volatile.Read(ref _delivered);
    public long Bytes => Volatile.Read(ref _bytes);
    public long Recovered => Volatile.Read(ref _recovered);
    public long Unrecovered => Volatile.Read(ref _unrecovered);
    public long Bans => Volatile.Read(ref _bans);
    public long RefreshesAccepted => Volatile.Read(ref _refreshesAccepted);
    public long RefreshesRefused => Volatile.Read(ref _refreshesRefused);

    /// <summary>A ban was applied (stored and its user's connections told to close).</summary>
    public void Banned() => Interlocked.Increment(ref _bans);

    /// <summary>A client asked to refresh its token; <paramref name="accepted"/> says whether the new one was taken.</summary>
    public void Refreshed(bool accepted) => Interlocked.Increment(ref accepted ? ref _refreshesAccepted : ref _refreshesRefused);

    public long TypingDroppedCount => Volatile.Read(ref _typingDropped);

    /// <summary>A typing signal was dropped by the throttle (one per user and scope per 2 s).</summary>
    public void TypingDropped() => Interlocked.Increment(ref _typingDropped);

    /// <summary>A client asked to resume a stream; <paramref name="recovered"/> says whether it got every message it missed.</summary>
    public void Resumed(bool recovered) => Interlocked.Increment(ref recovered ? ref _recovered : ref _unrecovered);

    /// <summary>A send with an id was acknowledged; <paramref name="duplicate"/> when it was a re-send answered with the first ack.</summary>
    public void Acked(bool duplicate)
    {
        Interlocked.Increment(ref _acks);
        if (duplicate)
        {
            Interlocked.Increment(ref _duplicates);
        }
    }

    public long Acks => Interlocked.Read(ref _acks);

    public long Duplicates => Interlocked.Read(ref _duplicates);

    public void MessageReceived() => Interlocked.Increment(ref _received);

    public void Delivered(int recipients, long bytes)
    {
        if (recipients == 0)
        {
            return;
        }
        Interlocked.Add(ref _delivered, recipients);
        Interlocked.Add(ref _bytes, bytes);
    }
}
