using System.Collections.Concurrent;
using System.Security.Cryptography;
using Fleck.Chat.Rooms;

namespace Fleck.Chat.Scaling;

/// <summary>
/// The default <see cref="IChatStreamStore"/>: streams live as long as this object, so a restart of
/// the process makes new epochs (the history is gone, and clients are told so when they resume).
/// Thread-safety: all members may be called concurrently.
/// </summary>
public sealed class InMemoryChatStreamStore : IChatStreamStore
{
    private readonly ConcurrentDictionary<string, Kept> _streams = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<RoomStreamState> OpenStreamAsync(string stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var kept = _streams.GetOrAdd(stream, _ => new Kept());
        lock (kept)
        {
            return ValueTask.FromResult(new RoomStreamState(kept.Epoch, kept.Offset, [.. kept.Entries]));
        }
    }

    /// <inheritdoc />
    public void Append(string stream, RoomEntry entry, int capacity)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var kept = _streams.GetOrAdd(stream, _ => new Kept());
        lock (kept)
        {
            kept.Offset = entry.Offset;
            if (capacity > 0)
            {
                kept.Entries.Enqueue(entry);
            }
            while (kept.Entries.Count > capacity)
            {
                kept.Entries.Dequeue();
            }
        }
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>A new random epoch: 16 hex digits.</summary>
    internal static string NewEpoch() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private sealed class Kept
    {
        public string Epoch { get; } = NewEpoch();
        public long Offset { get; set; }
        public Queue<RoomEntry> Entries { get; } = new();
    }
}
