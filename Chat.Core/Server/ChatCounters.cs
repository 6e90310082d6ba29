namespace Fleck.Chat.Server;

/// <summary>Running totals of one chat server, updated once per message (not per recipient).</summary>
internal sealed class ChatCounters
{
    private long _received;
    private long _delivered;
    private long _bytes;
    private long _recovered;
    private long _unrecovered;
    private long _typingDropped;

    public long Received => Volatile.Read(ref _received);
    public long DeliveredCount => Volatile.Read(ref _delivered);
    public long Bytes => Volatile.Read(ref _bytes);
    public long Recovered => Volatile.Read(ref _recovered);
    public long Unrecovered => Volatile.Read(ref _unrecovered);
    public long TypingDroppedCount => Volatile.Read(ref _typingDropped);

    /// <summary>A typing signal was dropped by the throttle (one per user and scope per 2 s).</summary>
    public void TypingDropped() => Interlocked.Increment(ref _typingDropped);

    /// <summary>A client asked to resume a stream; <paramref name="recovered"/> says whether it got every message it missed.</summary>
    public void Resumed(bool recovered) => Interlocked.Increment(ref recovered ? ref _recovered : ref _unrecovered);

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
