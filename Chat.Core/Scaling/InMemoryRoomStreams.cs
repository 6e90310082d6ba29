using System.Collections.Concurrent;
using Fleck.Chat.Protocol;
using Fleck.Chat.Rooms;

namespace Fleck.Chat.Scaling;

/// <summary>
/// The rooms of one in-memory cluster: per room a numbered stream with its history, the nodes
/// subscribed to it and who is in it. A message is numbered, kept and handed to the subscribed nodes
/// under the room's lock, so every node sees the room's messages in offset order. Epoch, offset and
/// history come from the <see cref="IChatStreamStore"/> when a stream is first used, and every
/// numbered message is handed to it (which writes behind); reads never go to the store.
/// Thread-safety: all members may be called concurrently.
/// </summary>
internal sealed class InMemoryRoomStreams(IChatStreamStore store)
{
    private readonly ConcurrentDictionary<string, Stream> _streams = new(StringComparer.Ordinal);

    public IChatStreamStore Store => store;

    public void Subscribe(string room, IRoomStreamNode node)
    {
        var stream = Get(room);
        lock (stream)
        {
            stream.Subscribers = [.. stream.Subscribers, node];
        }
    }

    public void Unsubscribe(string room, IRoomStreamNode node)
    {
        var stream = Get(room);
        lock (stream)
        {
            stream.Subscribers = [.. stream.Subscribers.Where(n => n != node)];
        }
    }

    public async ValueTask<RoomEntry> AppendAsync(string room, string name, string msg, long ts, int capacity, CancellationToken cancellationToken)
    {
        var stream = Get(room);
        await stream.LoadAsync(room, store, cancellationToken).ConfigureAwait(false);
        lock (stream)
        {
            var entry = new RoomEntry(name, msg, ts, ++stream.Offset);
            if (capacity > 0)
            {
                stream.History.Enqueue(entry);
            }
            while (stream.History.Count > capacity)
            {
                stream.History.Dequeue();
            }
            // Under the lock, so the store sees one stream's messages in offset order.
            store.Append(room, entry, capacity);
            foreach (var node in stream.Subscribers)
            {
                node.DeliverRoomMessage(room, stream.Epoch, entry);
            }
            return entry;
        }
    }

    public async ValueTask<RoomStreamState> ReadAsync(string room, int count, CancellationToken cancellationToken)
    {
        var stream = Get(room);
        await stream.LoadAsync(room, store, cancellationToken).ConfigureAwait(false);
        lock (stream)
        {
            return new RoomStreamState(stream.Epoch, stream.Offset, [.. stream.History.Skip(Math.Max(0, stream.History.Count - count))]);
        }
    }

    public void PublishEvent(string room, IRoomStreamNode from, ReadOnlyMemory<byte> text)
    {
        if (!_streams.TryGetValue(room, out var stream))
        {
            return;
        }
        IRoomStreamNode[] subscribers;
        lock (stream)
        {
            subscribers = stream.Subscribers;
        }
        foreach (var node in subscribers)
        {
            if (node != from)
            {
                node.DeliverRoomEvent(room, text);
            }
        }
    }

    public void AddMember(string room, string nickname)
    {
        var stream = Get(room);
        lock (stream)
        {
            stream.Members[nickname] = stream.Members.GetValueOrDefault(nickname) + 1;
        }
    }

    public void RemoveMember(string room, string nickname)
    {
        var stream = Get(room);
        lock (stream)
        {
            if (stream.Members.TryGetValue(nickname, out var n))
            {
                if (n <= 1)
                {
                    stream.Members.Remove(nickname);
                }
                else
                {
                    stream.Members[nickname] = n - 1;
                }
            }
        }
    }

    public IReadOnlyList<string> Members(string room)
    {
        if (!_streams.TryGetValue(room, out var stream))
        {
            return [];
        }
        lock (stream)
        {
            return [.. stream.Members.Keys.Order(StringComparer.OrdinalIgnoreCase)];
        }
    }

    public IReadOnlyList<RoomCount> Counts()
    {
        var counts = new List<RoomCount>();
        foreach (var (room, stream) in _streams)
        {
            lock (stream)
            {
                if (stream.Members.Count > 0)
                {
                    counts.Add(new RoomCount(room, stream.Members.Count));
                }
            }
        }
        counts.Sort((a, b) => string.CompareOrdinal(a.Room, b.Room));
        return counts;
    }

    /// <summary>A stream once made is kept (with its history) for the life of the cluster, as its epoch promises.</summary>
    private Stream Get(string room) => _streams.GetOrAdd(room, _ => new Stream());

    private sealed class Stream
    {
        private Task? _load;

        /// <summary>From the store, on first use.</summary>
        public string Epoch { get; private set; } = "";
        public long Offset { get; set; }
        public Queue<RoomEntry> History { get; } = new();
        public IRoomStreamNode[] Subscribers { get; set; } = [];
        public Dictionary<string, int> Members { get; } = new(Nickname.Comparer);

        /// <summary>Reads the stream from the store once; a failed read is tried again by the next caller.</summary>
        public Task LoadAsync(string name, IChatStreamStore store, CancellationToken cancellationToken)
        {
            Task load;
            lock (this)
            {
                if (_load is null || _load.IsFaulted || _load.IsCanceled)
                {
                    _load = LoadCoreAsync(name, store);
                }
                load = _load;
            }
            return load.IsCompletedSuccessfully ? Task.CompletedTask : load.WaitAsync(cancellationToken);
        }

        private async Task LoadCoreAsync(string name, IChatStreamStore store)
        {
            // Not the caller's token: the load is shared by every caller, one may give up while others wait.
            var state = await store.OpenStreamAsync(name, CancellationToken.None).ConfigureAwait(false);
            lock (this)
            {
                Epoch = state.Epoch;
                Offset = state.Offset;
                foreach (var entry in state.History)
                {
                    History.Enqueue(entry);
                }
            }
        }
    }
}
