using System.Collections.Concurrent;
using Fleck.Chat.Protocol;
using Fleck.Chat.Rooms;

namespace Fleck.Chat.Scaling;

/// <summary>
/// The streams of one in-memory cluster: per stream (a room, or nick-broadcast's chat) its numbered
/// history, the nodes subscribed to it and, for a room, who is in it. A message is numbered, kept and handed to the subscribed nodes
/// under the room's lock, so every node sees the room's messages in offset order. Epoch, offset and
/// history come from the <see cref="IChatStreamStore"/> when a stream is first used, and every
/// numbered message is handed to it (which writes behind); reads never go to the store.
/// <para>
/// Bounded by <see cref="StreamLimits"/>: each stream keeps what its retain limits allow; a stream
/// unused for the time to live is forgotten here and in the store (<see cref="StreamUpkeep"/>); past the
/// history memory, the least recently used streams lose their history (an unused one is unloaded, so
/// its next use reads the store again: a new epoch unless the store kept it); past the most streams, a
/// room is not created.
/// </para>
/// Thread-safety: all members may be called concurrently. Lock order: a stream, then the recency list.
/// </summary>
internal sealed partial class InMemoryStreamLog(IChatStreamStore store) : IStreamLog
{
    private readonly ConcurrentDictionary<string, Stream> _streams = new(StringComparer.Ordinal);
    private readonly StreamRecency _recency = new();
    private readonly Lock _evicting = new();
    private long _keptBytes;

    public IChatStreamStore Store => store;

    public StreamLimits Limits { get; set; } = new();

    /// <summary>Streams held now (loaded or not).</summary>
    public int Count => _streams.Count;

    /// <summary>Bytes of message text kept by every stream together.</summary>
    public long KeptBytes => Interlocked.Read(ref _keptBytes);

    public void Subscribe(string room, IBackplaneNode node) =>
        With(room, create: true, stream => stream.Subscribers = [.. stream.Subscribers, node]);

    public void Unsubscribe(string room, IBackplaneNode node) =>
        With(room, create: false, stream => stream.Subscribers = [.. stream.Subscribers.Where(n => n != node)]);

    /// <inheritdoc />
    public void LimitStreams(StreamLimits limits) => Limits = limits ?? throw new ArgumentNullException(nameof(limits));

    /// <inheritdoc />
    public ValueTask<bool> TryOpenStreamAsync(string stream, CancellationToken cancellationToken) => ValueTask.FromResult(TryOpen(stream));

    /// <summary>Makes sure the room's stream exists; false when it does not and as many streams as allowed do.</summary>
    public bool TryOpen(string room)
    {
        if (_streams.Count >= Limits.MaxStreams && !_streams.ContainsKey(room))
        {
            return false;
        }
        With(room, create: true, _ => { });
        return true;
    }

    public async ValueTask<RoomEntry> AppendAsync(string room, string name, string msg, long ts, int capacity, CancellationToken cancellationToken) =>
        (await AppendAsync(new StreamAppend(room, name, msg, ts, capacity), cancellationToken).ConfigureAwait(false)).Entry;

    /// <inheritdoc />
    /// <remarks>
    /// The dedup check and record happen under the streams' locks, with the numbering: two sends of
    /// one id through two nodes of this cluster cannot both be numbered. With a copy, both streams
    /// are locked (in name order, so two appends never wait on each other) and numbered together.
    /// </remarks>
    public async ValueTask<StreamAppendResult> AppendAsync(StreamAppend append, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(append);
        while (true)
        {
            var stream = Get(append.Stream);
            var copy = append.CopyTo is { } copyName && copyName != append.Stream ? Get(copyName) : null;
            await stream.LoadAsync(store, Limits, Account, cancellationToken).ConfigureAwait(false);
            if (copy is not null)
            {
                await copy.LoadAsync(store, Limits, Account, cancellationToken).ConfigureAwait(false);
            }
            var (first, second) = copy is null || string.CompareOrdinal(stream.Name, copy.Name) < 0 ? (stream, copy) : (copy, stream);
            StreamAppendResult result;
            lock (first)
            {
                if (second is null)
                {
                    if (!TryAppendLocked(append, stream, null, out result))
                    {
                        continue;
                    }
                }
                else
                {
                    lock (second)
                    {
                        if (!TryAppendLocked(append, stream, copy, out result))
                        {
                            continue;
                        }
                    }
                }
            }
            if (KeptBytes > Limits.HistoryMemory)
            {
                EvictLeastRecent(stream);
            }
            return result;
        }
    }

    /// <inheritdoc />
    public ValueTask<SentMessage?> FindSentAsync(string user, string id, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Sent.Find(user, id, DedupSince()));

    /// <inheritdoc />
    public ValueTask<SentMessage> RecordSentAsync(string user, string id, SentMessage sent, CancellationToken cancellationToken)
    {
        var recorded = Sent.Record(user, id, sent, DedupSince());
        if (recorded == sent)
        {
            store.RecordSent(new StoredSend(user, id, sent));
        }
        return ValueTask.FromResult(recorded);
    }

    /// <inheritdoc />
    public ValueTask<bool> StreamExistsAsync(string stream, CancellationToken cancellationToken) => ValueTask.FromResult(_streams.ContainsKey(stream));

    /// <summary>The sends this cluster remembers for the dedup window.</summary>
    public SentTable Sent { get; } = new();

    /// <summary>Takes in the sends a durable store kept from before (within the window).</summary>
    public void AdoptSent(IEnumerable<StoredSend> sent)
    {
        var since = DedupSince();
        foreach (var (user, id, ack) in sent)
        {
            Sent.Record(user, id, ack, since);
        }
    }

    /// <summary>Unix milliseconds before which a send is forgotten.</summary>
    public long DedupSince() => StreamRecency.Now() - (long)Limits.DedupWindow.TotalMilliseconds;

    /// <summary>Under the locks of <paramref name="stream"/> (and <paramref name="copy"/>): false when one was forgotten or unloaded meanwhile.</summary>
    private bool TryAppendLocked(StreamAppend append, Stream stream, Stream? copy, out StreamAppendResult result)
    {
        result = null!;
        if (stream.Removed || !stream.Loaded || copy is { Removed: true } or { Loaded: false })
        {
            // Start over with what the store says now.
            return false;
        }
        if (append is { User: { } user, Id: { } id } && Sent.Find(user, id, DedupSince()) is { } sent)
        {
            result = new StreamAppendResult(append.ToEntry(sent.Offset ?? 0), Duplicate: true);
            return true;
        }
        var entry = NumberLocked(append, stream);
        if (copy is not null)
        {
            NumberLocked(append, copy);
        }
        if (append is { User: { } u, Id: { } i })
        {
            var ack = new SentMessage(stream.Name, entry.Offset, StreamRecency.Now());
            Sent.Record(u, i, ack, DedupSince());
            store.RecordSent(new StoredSend(u, i, ack));
        }
        result = new StreamAppendResult(entry);
        return true;
    }

    private RoomEntry NumberLocked(StreamAppend append, Stream stream)
    {
        var entry = append.ToEntry(++stream.Offset);
        Interlocked.Add(ref _keptBytes, stream.Keep(new KeptEntry(entry), Math.Min(append.Capacity, Limits.Retain), Limits.RetainBytes));
        // Under the lock, so the store sees one stream's messages in offset order.
        store.Append(stream.Name, entry, stream.History.Count);
        foreach (var node in stream.Subscribers)
        {
            node.DeliverStreamMessage(stream.Name, stream.Epoch, entry);
        }
        _recency.Touch(stream);
        return entry;
    }

    public async ValueTask<RoomStreamState> ReadAsync(string room, int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            var stream = Get(room);
            await stream.LoadAsync(store, Limits, Account, cancellationToken).ConfigureAwait(false);
            lock (stream)
            {
                if (stream.Removed || !stream.Loaded)
                {
                    continue;
                }
                _recency.Touch(stream);
                var history = stream.History;
                return new RoomStreamState(stream.Epoch, stream.Offset, [.. history.Skip(Math.Max(0, history.Count - count)).Select(e => e.ToEntry())]);
            }
        }
    }

    public void PublishEvent(string room, IBackplaneNode from, ReadOnlyMemory<byte> text)
    {
        foreach (var node in SubscribersOf(room))
        {
            if (node != from)
            {
                node.DeliverRoomEvent(room, text);
            }
        }
    }

    /// <summary>One more connection of the nickname in the room; true when it is its first there.</summary>
    public bool AddMember(string room, string nickname) => With(room, create: true, stream =>
    {
        var n = stream.Members.GetValueOrDefault(nickname) + 1;
        stream.Members[nickname] = n;
        return n == 1;
    });

    /// <summary>One connection fewer; true when the nickname has none left in the room.</summary>
    public bool RemoveMember(string room, string nickname) => With(room, create: false, stream =>
    {
        if (!stream.Members.TryGetValue(nickname, out var n) || n <= 1)
        {
            stream.Members.Remove(nickname);
            return true;
        }
        stream.Members[nickname] = n - 1;
        return false;
    }, whenMissing: true);

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

    /// <summary>Takes in the streams a durable store holds from before, as unloaded streams last used when it says.</summary>
    public void Adopt(IEnumerable<StoredStream> stored)
    {
        foreach (var (name, lastUsed) in stored.OrderBy(s => s.LastUsed))
        {
            With(name, create: true, stream => _recency.Touch(stream, lastUsed));
        }
    }

    /// <summary>
    /// Forgets the streams unused since <paramref name="cutoff"/> (Unix milliseconds), oldest first,
    /// and returns their names (for the store). A stream someone is in is never forgotten.
    /// </summary>
    public IReadOnlyList<string> ForgetUnusedSince(long cutoff)
    {
        var forgotten = new List<string>();
        foreach (var stream in _recency.UsedBefore(cutoff))
        {
            lock (stream)
            {
                if (stream.Removed || stream.LastUsed > cutoff)
                {
                    continue;
                }
                if (stream.InUse)
                {
                    // Its time starts when the last one leaves; until then it stays out of the sweep's way.
                    _recency.Touch(stream);
                    continue;
                }
                stream.Removed = true;
                Interlocked.Add(ref _keptBytes, -stream.Unload());
                _streams.TryRemove(new KeyValuePair<string, Stream>(stream.Name, stream));
                _recency.Remove(stream);
                forgotten.Add(stream.Name);
            }
        }
        return forgotten;
    }

    /// <summary>
    /// Frees history memory from the least recently used streams (never <paramref name="current"/>):
    /// an unused stream is unloaded, one in use only loses its history (recovery from before then fails).
    /// </summary>
    private void EvictLeastRecent(Stream current)
    {
        // One evictor at a time; the others' appends are covered by its pass.
        if (!_evicting.TryEnter())
        {
            return;
        }
        try
        {
            // Down to a margin below the limit, so that a steady flow of appends does not evict on each one.
            var target = Limits.HistoryMemory - (Limits.HistoryMemory / 10);
            foreach (var stream in _recency.Oldest())
            {
                if (KeptBytes <= target)
                {
                    return;
                }
                if (stream == current)
                {
                    continue;
                }
                lock (stream)
                {
                    if (!stream.Removed)
                    {
                        Interlocked.Add(ref _keptBytes, stream.InUse ? -stream.DropHistory() : -stream.Unload());
                    }
                }
            }
        }
        finally
        {
            _evicting.Exit();
        }
    }

    private void Account(long bytes) => Interlocked.Add(ref _keptBytes, bytes);

    private Stream Get(string room) => _streams.GetOrAdd(room, r => new Stream(r));

    private void With(string room, bool create, Action<Stream> action) =>
        With(room, create, stream =>
        {
            action(stream);
            return true;
        }, whenMissing: true);

    /// <summary>Runs <paramref name="action"/> under the stream's lock, marking it used; <paramref name="whenMissing"/> when it does not exist and is not to be made.</summary>
    private T With<T>(string room, bool create, Func<Stream, T> action, T whenMissing = default!)
    {
        while (true)
        {
            Stream? stream;
            if (create)
            {
                stream = Get(room);
            }
            else if (!_streams.TryGetValue(room, out stream))
            {
                return whenMissing;
            }
            lock (stream)
            {
                if (stream.Removed)
                {
                    continue;
                }
                var result = action(stream);
                _recency.Touch(stream);
                return result;
            }
        }
    }

    /// <summary>One stream. Its fields are guarded by the stream's own lock.</summary>
    internal sealed partial class Stream(string name)
    {
        private Task? _load;
        private int _generation;

        public string Name { get; } = name;

        /// <summary>From the store, on first use.</summary>
        public string Epoch { get; private set; } = "";
        public long Offset { get; set; }
        public Queue<KeptEntry> History { get; } = new();
        public long HistoryBytes { get; private set; }
        public IBackplaneNode[] Subscribers { get; set; } = [];
        public Dictionary<string, int> Members { get; } = new(Nickname.Comparer);

        /// <summary>Whether epoch, offset and history were read from the store (and not unloaded since).</summary>
        public bool Loaded { get; private set; }

        /// <summary>Forgotten and out of the directory: whoever still holds it must look the name up again.</summary>
        public bool Removed { get; set; }

        /// <summary>Unix milliseconds of its last use; with <see cref="RecencyNode"/> kept by <see cref="StreamRecency"/>.</summary>
        public long LastUsed { get; set; }

        public LinkedListNode<Stream>? RecencyNode { get; set; }

        public bool InUse => Subscribers.Length > 0 || Members.Count > 0;

        /// <summary>Keeps <paramref name="entry"/>, then drops the oldest until both limits hold; returns the change in kept bytes.</summary>
        public long Keep(KeptEntry entry, int maxCount, long maxBytes)
        {
            var before = HistoryBytes;
            History.Enqueue(entry);
            HistoryBytes += entry.Size;
            while (History.Count > 0 && (History.Count > maxCount || HistoryBytes > maxBytes))
            {
                HistoryBytes -= History.Dequeue().Size;
            }
            return HistoryBytes - before;
        }

        /// <summary>Drops the history, keeping epoch and offset; returns the bytes freed.</summary>
        public long DropHistory()
        {
            var freed = HistoryBytes;
            History.Clear();
            HistoryBytes = 0;
            return freed;
        }

        /// <summary>Drops everything read from the store: the next use reads it again. Returns the bytes freed.</summary>
        public long Unload()
        {
            Loaded = false;
            _load = null;
            _generation++;
            return DropHistory();
        }

        /// <summary>Reads the stream from the store once per load; a failed read is tried again by the next caller.</summary>
        public Task LoadAsync(IChatStreamStore store, StreamLimits limits, Action<long> account, CancellationToken cancellationToken)
        {
            Task load;
            lock (this)
            {
                if (_load is null || _load.IsFaulted || _load.IsCanceled)
                {
                    _load = LoadCoreAsync(store, limits, account, _generation, reload: _generation > 0);
                }
                load = _load;
            }
            return load.IsCompletedSuccessfully ? Task.CompletedTask : load.WaitAsync(cancellationToken);
        }

        private async Task LoadCoreAsync(IChatStreamStore store, StreamLimits limits, Action<long> account, int generation, bool reload)
        {
            // Off the caller's lock on this stream: the store may take its time.
            await Task.Yield();
            if (reload)
            {
                // An unloaded stream's last appends may still be on their way to a durable store.
                try
                {
                    await store.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    // A failing store: what it holds is read as it is; the next start renews its epochs.
                }
            }
            // Not the caller's token: the load is shared by every caller, one may give up while others wait.
            var state = await store.OpenStreamAsync(Name, CancellationToken.None).ConfigureAwait(false);
            var reads = await store.ReadMarkersAsync(Name, CancellationToken.None).ConfigureAwait(false);
            lock (this)
            {
                if (generation != _generation || Removed)
                {
                    return;
                }
                TakeReads(reads);
                Epoch = state.Epoch;
                Offset = state.Offset;
                var added = -DropHistory();
                foreach (var entry in state.History)
                {
                    added += Keep(new KeptEntry(entry), limits.Retain, limits.RetainBytes);
                }
                account(added);
                Loaded = true;
            }
        }
    }
}
