using Fleck.Chat.Rooms;

namespace Fleck.Chat.Scaling;

/// <summary>Pages of older history and read markers, served from memory (which holds what the store holds).</summary>
internal sealed partial class InMemoryStreamLog
{
    /// <inheritdoc />
    public async ValueTask<StreamPage> ReadPageAsync(string stream, long? before, int limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Looked up, never made: a page of a stream that does not exist must not create it.
            if (!_streams.TryGetValue(stream, out var found))
            {
                return StreamPage.Empty;
            }
            await found.LoadAsync(store, Limits, Account, cancellationToken).ConfigureAwait(false);
            lock (found)
            {
                if (found.Removed || !found.Loaded)
                {
                    continue;
                }
                return StreamPage.Of([.. found.History.Select(e => e.ToEntry())], before, limit);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<long?> MarkReadAsync(string stream, string user, long offset, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!_streams.TryGetValue(stream, out var found))
            {
                return null;
            }
            await found.LoadAsync(store, Limits, Account, cancellationToken).ConfigureAwait(false);
            lock (found)
            {
                if (found.Removed || !found.Loaded)
                {
                    continue;
                }
                var capped = Math.Min(offset, found.Offset);
                if (capped <= found.Reads.GetValueOrDefault(user))
                {
                    return null;
                }
                found.Reads[user] = capped;
                // Under the stream's lock, so the store sees one marker's moves in order.
                store.SaveRead(stream, user, capped);
                return capped;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<long> GetReadAsync(string stream, string user, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!_streams.TryGetValue(stream, out var found))
            {
                return 0;
            }
            await found.LoadAsync(store, Limits, Account, cancellationToken).ConfigureAwait(false);
            lock (found)
            {
                if (found.Removed || !found.Loaded)
                {
                    continue;
                }
                return found.Reads.GetValueOrDefault(user);
            }
        }
    }

    /// <summary>A signal for the stream's members on the other subscribed nodes.</summary>
    public void PublishSignal(string stream, IBackplaneNode from, string? exceptUser, ReadOnlyMemory<byte> text)
    {
        foreach (var node in SubscribersOf(stream))
        {
            if (node != from)
            {
                node.DeliverSignal(SignalScope.Stream, stream, exceptUser, text);
            }
        }
    }

    /// <summary>The nodes subscribed to <paramref name="stream"/>; none when it does not exist.</summary>
    private IBackplaneNode[] SubscribersOf(string stream)
    {
        if (!_streams.TryGetValue(stream, out var found))
        {
            return [];
        }
        lock (found)
        {
            return found.Subscribers;
        }
    }

    internal sealed partial class Stream
    {
        /// <summary>Read markers by user. Kept when the stream is unloaded (the store may not have written them yet); gone with the stream.</summary>
        public Dictionary<string, long> Reads { get; } = new(StringComparer.Ordinal);

        /// <summary>Takes in the markers the store kept, never moving one back.</summary>
        private void TakeReads(IReadOnlyDictionary<string, long> stored)
        {
            foreach (var (user, offset) in stored)
            {
                if (offset > Reads.GetValueOrDefault(user))
                {
                    Reads[user] = offset;
                }
            }
        }
    }
}
