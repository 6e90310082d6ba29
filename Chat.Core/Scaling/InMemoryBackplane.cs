using System.Collections.Concurrent;
using System.Net.WebSockets;
using Fleck.Chat.Protocol;

namespace Fleck.Chat.Scaling;

/// <summary>
/// The default backplane: nicknames and numbered streams in this process. One instance per server gives a
/// single-node chat; <see cref="CreateNode"/> gives further nodes that share the same chat, so
/// several servers in one process (tests, or one process listening on several ports) act as one.
/// </summary>
public sealed partial class InMemoryBackplane : IChatBackplane
{
    private readonly Cluster _cluster;
    private readonly bool _ownsStore;
    private IBackplaneNode? _node;
    private int _storeClosed;

    /// <summary>A new, single-node chat whose streams live in memory (a restart makes new epochs).</summary>
    public InMemoryBackplane() : this(new Cluster(new InMemoryChatStreamStore()), ownsStore: true)
    {
    }

    /// <summary>
    /// A new, single-node chat whose numbered streams (history, offsets, epochs) are kept in
    /// <paramref name="store"/>. This backplane owns the store: disposing it flushes and disposes the store.
    /// </summary>
    public InMemoryBackplane(IChatStreamStore store) : this(new Cluster(store ?? throw new ArgumentNullException(nameof(store))), ownsStore: true)
    {
    }

    private InMemoryBackplane(Cluster cluster, bool ownsStore)
    {
        _cluster = cluster;
        _ownsStore = ownsStore;
    }

    /// <summary>Where the numbered streams are kept: read for its health and its error count.</summary>
    public IChatStreamStore Store => _cluster.Rooms.Store;

    /// <summary>Streams the cluster holds now.</summary>
    internal int StreamCount => _cluster.Rooms.Count;

    /// <summary>Another node of the same chat, for another server. The first node keeps owning the store.</summary>
    public InMemoryBackplane CreateNode() => new(_cluster, ownsStore: false);

    /// <inheritdoc />
    public async Task ConnectAsync(IBackplaneNode node, CancellationToken cancellationToken)
    {
        await _cluster.StartUpkeepAsync(cancellationToken).ConfigureAwait(false);
        _node = node;
        lock (_cluster.Nodes)
        {
            _cluster.Nodes.Add(node);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> TryClaimNicknameAsync(string nickname, CancellationToken cancellationToken)
    {
        lock (_cluster.Shared)
        {
            return ValueTask.FromResult(!_cluster.Shared.ContainsKey(nickname) && _cluster.Nicknames.TryAdd(nickname, this));
        }
    }

    /// <inheritdoc />
    public ValueTask<SharedClaimResult> TryClaimSharedNicknameAsync(string nickname, CancellationToken cancellationToken)
    {
        lock (_cluster.Shared)
        {
            if (_cluster.Nicknames.ContainsKey(nickname))
            {
                return ValueTask.FromResult(SharedClaimResult.Taken);
            }
            if (!_cluster.Shared.TryGetValue(nickname, out var holders))
            {
                _cluster.Shared[nickname] = holders = [];
            }
            var first = !holders.Any(h => h != this);
            holders.Add(this);
            return ValueTask.FromResult(first ? SharedClaimResult.First : SharedClaimResult.Again);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> ReleaseSharedNicknameAsync(string nickname)
    {
        lock (_cluster.Shared)
        {
            if (!_cluster.Shared.TryGetValue(nickname, out var holders))
            {
                return ValueTask.FromResult(true);
            }
            holders.Remove(this);
            if (holders.Count == 0)
            {
                _cluster.Shared.Remove(nickname);
                return ValueTask.FromResult(true);
            }
            return ValueTask.FromResult(false);
        }
    }

    /// <inheritdoc />
    public ValueTask ReleaseNicknameAsync(string nickname)
    {
        _cluster.Nicknames.TryRemove(new KeyValuePair<string, InMemoryBackplane>(nickname, this));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyCollection<string>> GetNicknamesAsync(CancellationToken cancellationToken)
    {
        lock (_cluster.Shared)
        {
            return ValueTask.FromResult<IReadOnlyCollection<string>>([.. _cluster.Nicknames.Keys, .. _cluster.Shared.Keys]);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> IsOnlineAsync(string nickname, CancellationToken cancellationToken)
    {
        lock (_cluster.Shared)
        {
            return ValueTask.FromResult(_cluster.Nicknames.ContainsKey(nickname) || _cluster.Shared.ContainsKey(nickname));
        }
    }

    /// <inheritdoc />
    public void PublishToAll(ReadOnlyMemory<byte> payload, WebSocketMessageType type)
    {
        foreach (var other in OtherNodes())
        {
            other.DeliverToAll(payload, type);
        }
    }

    /// <inheritdoc />
    public void PublishToMember(string nickname, ReadOnlyMemory<byte> text)
    {
        foreach (var other in OtherNodes())
        {
            other.DeliverToMember(nickname, text);
        }
    }

    /// <inheritdoc />
    public void PublishDisconnect(string nickname, int closeCode)
    {
        foreach (var other in OtherNodes())
        {
            other.DisconnectMember(nickname, closeCode);
        }
    }

    /// <summary>Leaves the chat; the node that owns the store then writes everything to it and disposes it.</summary>
    public async ValueTask DisposeAsync()
    {
        LeaveCluster();
        if (_ownsStore && Interlocked.Exchange(ref _storeClosed, 1) == 0)
        {
            await _cluster.StopUpkeepAsync().ConfigureAwait(false);
            await _cluster.Rooms.Store.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void LeaveCluster()
    {
        if (_node is not null)
        {
            lock (_cluster.Nodes)
            {
                _cluster.Nodes.Remove(_node);
            }
            var exclusive = _cluster.Nicknames.Where(kv => kv.Value == this).Select(kv => kv.Key).ToArray();
            foreach (var nickname in exclusive)
            {
                _cluster.Nicknames.TryRemove(new KeyValuePair<string, InMemoryBackplane>(nickname, this));
            }
            var mine = new List<string>(exclusive);
            lock (_cluster.Shared)
            {
                // A shared name is gone only when no other node still serves that user.
                foreach (var (nickname, holders) in _cluster.Shared.ToArray())
                {
                    if (holders.Remove(this) && holders.Count == 0)
                    {
                        _cluster.Shared.Remove(nickname);
                        mine.Add(nickname);
                    }
                }
            }
            if (mine.Count > 0)
            {
                foreach (var other in OtherNodes())
                {
                    other.MembersLost(mine);
                }
            }
        }
    }

    private IBackplaneNode[] OtherNodes()
    {
        var nodes = _cluster.Nodes;
        if (nodes.Count <= 1)
        {
            // The common single-node case: nothing to forward, and no allocation on the send path.
            return [];
        }
        lock (nodes)
        {
            return [.. nodes.Where(n => n != _node)];
        }
    }

    private sealed class Cluster(IChatStreamStore store)
    {
        public List<IBackplaneNode> Nodes { get; } = [];
        public ConcurrentDictionary<string, InMemoryBackplane> Nicknames { get; } = new(Nickname.Comparer);

        /// <summary>Shared claims of identified users, by name: the nodes serving each. Also the lock of both claim tables.</summary>
        public Dictionary<string, HashSet<InMemoryBackplane>> Shared { get; } = new(Nickname.Comparer);

        private readonly SemaphoreSlim _upkeepGate = new(1, 1);
        private StreamUpkeep? _upkeep;

        public InMemoryRoomStreams Rooms { get; } = new(store);

        /// <summary>Once per cluster, by its first node to connect: takes in what the store held from before, then starts forgetting unused streams.</summary>
        public async Task StartUpkeepAsync(CancellationToken cancellationToken)
        {
            await _upkeepGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_upkeep is null)
                {
                    Rooms.Adopt(await store.ListStreamsAsync(cancellationToken).ConfigureAwait(false));
                    _upkeep = new StreamUpkeep(Rooms);
                }
            }
            finally
            {
                _upkeepGate.Release();
            }
        }

        /// <summary>Before the store closes: no pass may touch it afterwards.</summary>
        public async Task StopUpkeepAsync()
        {
            await _upkeepGate.WaitAsync().ConfigureAwait(false);
            try
            {
                if (_upkeep is { } upkeep)
                {
                    await upkeep.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                _upkeepGate.Release();
            }
        }
    }
}
