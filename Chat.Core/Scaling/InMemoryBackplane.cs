namespace Fleck.Chat.Scaling;

/// <summary>
/// The default backplane: nicknames and numbered streams in this process. One instance per server gives a
/// single-node chat; <see cref="CreateNode"/> gives further nodes that share the same chat, so
/// several servers in one process (tests, or one process listening on several ports) act as one.
/// </summary>
public sealed class InMemoryBackplane : IChatBackplane
{
    private readonly InMemoryCluster _cluster;
    private readonly InMemoryPresence _presence;
    private readonly InMemoryNodeBus _bus;
    private readonly bool _ownsStore;
    private bool _connected;
    private int _storeClosed;

    /// <summary>A new, single-node chat whose streams live in memory (a restart makes new epochs).</summary>
    public InMemoryBackplane() : this(new InMemoryCluster(new InMemoryChatStreamStore()), ownsStore: true)
    {
    }

    /// <summary>
    /// A new, single-node chat whose numbered streams (history, offsets, epochs) are kept in
    /// <paramref name="store"/>. This backplane owns the store: disposing it flushes and disposes the store.
    /// </summary>
    public InMemoryBackplane(IChatStreamStore store) : this(new InMemoryCluster(store ?? throw new ArgumentNullException(nameof(store))), ownsStore: true)
    {
    }

    private InMemoryBackplane(InMemoryCluster cluster, bool ownsStore)
    {
        _cluster = cluster;
        _ownsStore = ownsStore;
        _presence = new InMemoryPresence(cluster);
        _bus = new InMemoryNodeBus(cluster);
    }

    /// <inheritdoc />
    public IPresence Presence => _presence;

    /// <inheritdoc />
    public INodeBus Bus => _bus;

    /// <summary>The cluster's numbered streams, shared by all its nodes.</summary>
    public IStreamLog Streams => _cluster.Streams;

    /// <summary>Where the numbered streams are kept: read for its health and its error count.</summary>
    public IChatStreamStore Store => _cluster.Streams.Store;

    /// <summary>Streams the cluster holds now.</summary>
    internal int StreamCount => _cluster.Streams.Count;

    /// <summary>Another node of the same chat, for another server. The first node keeps owning the store.</summary>
    public InMemoryBackplane CreateNode() => new(_cluster, ownsStore: false);

    /// <inheritdoc />
    public async Task ConnectAsync(IBackplaneNode node, CancellationToken cancellationToken)
    {
        await _cluster.StartUpkeepAsync(cancellationToken).ConfigureAwait(false);
        _bus.Attach(node);
        _bus.Join();
        _connected = true;
    }

    /// <summary>
    /// Where stream traffic goes when this backplane only stands in for the streams of a backplane
    /// without them: the node gets its streams' traffic without joining this cluster or starting its upkeep.
    /// </summary>
    internal void AttachStreamsOnly(IBackplaneNode node) => _bus.Attach(node);

    /// <summary>Leaves the chat; the node that owns the store then writes everything to it and disposes it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_connected)
        {
            _bus.Leave();
            _bus.AnnounceLost(_presence.ReleaseAll());
        }
        if (_ownsStore && Interlocked.Exchange(ref _storeClosed, 1) == 0)
        {
            await _cluster.StopUpkeepAsync().ConfigureAwait(false);
            await _cluster.Streams.Store.DisposeAsync().ConfigureAwait(false);
        }
    }
}
