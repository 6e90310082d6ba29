namespace Fleck.Chat.Server;

/// <summary>Running totals of one chat server, updated once per message (not per recipient).</summary>
internal sealed class ChatCounters
{
    private long _received;
    private long _delivered;
    private long _bytes;

    public long Received => Volatile.Read(ref _received);
    public long DeliveredCount => Volatile.Read(ref _delivered);
    public long Bytes => Volatile.Read(ref _bytes);

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
