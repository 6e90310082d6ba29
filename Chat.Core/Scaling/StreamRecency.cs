namespace Fleck.Chat.Scaling;

/// <summary>
/// The streams of an <see cref="InMemoryStreamLog"/> in the order they were last used, least
/// recently first: the time-to-live sweep reads the front until it reaches a stream still fresh, and
/// the history-memory limit evicts from the front. Every change is O(1).
/// Thread-safety: all members may be called concurrently; a caller may hold a stream's lock, never the other way round.
/// </summary>
internal sealed class StreamRecency
{
    private readonly Lock _lock = new();
    private readonly LinkedList<InMemoryStreamLog.Stream> _list = new();

    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Marks <paramref name="stream"/> used now (or at <paramref name="at"/>, Unix milliseconds): it moves to the back.</summary>
    public void Touch(InMemoryStreamLog.Stream stream, long? at = null)
    {
        lock (_lock)
        {
            stream.LastUsed = at ?? Now();
            if (stream.RecencyNode is { } node)
            {
                _list.Remove(node);
                _list.AddLast(node);
            }
            else
            {
                stream.RecencyNode = _list.AddLast(stream);
            }
        }
    }

    public void Remove(InMemoryStreamLog.Stream stream)
    {
        lock (_lock)
        {
            if (stream.RecencyNode is { } node)
            {
                _list.Remove(node);
                stream.RecencyNode = null;
            }
        }
    }

    /// <summary>The streams last used at or before <paramref name="cutoff"/>, least recent first.</summary>
    public IReadOnlyList<InMemoryStreamLog.Stream> UsedBefore(long cutoff)
    {
        var found = new List<InMemoryStreamLog.Stream>();
        lock (_lock)
        {
            for (var node = _list.First; node is not null && node.Value.LastUsed <= cutoff; node = node.Next)
            {
                found.Add(node.Value);
            }
        }
        return found;
    }

    /// <summary>Every stream, least recent first, as of now.</summary>
    public IReadOnlyList<InMemoryStreamLog.Stream> Oldest()
    {
        lock (_lock)
        {
            return [.. _list];
        }
    }
}
