using System.Collections.Concurrent;
using Fleck.Chat.Protocol;

namespace Fleck.Chat.Scaling;

/// <summary>
/// What the nodes of one in-memory chat share: the connected nodes, the nickname claims and the
/// streams. Each node's <see cref="InMemoryPresence"/> and <see cref="InMemoryNodeBus"/> work on it.
/// </summary>
internal sealed class InMemoryCluster(IChatStreamStore store)
{
    private readonly SemaphoreSlim _upkeepGate = new(1, 1);
    private StreamUpkeep? _upkeep;

    public List<IBackplaneNode> Nodes { get; } = [];

    /// <summary>Exclusive claims, by name: the node holding each.</summary>
    public ConcurrentDictionary<string, InMemoryPresence> Nicknames { get; } = new(Nickname.Comparer);

    /// <summary>Shared claims of identified users, by name: the nodes serving each. Also the lock of both claim tables.</summary>
    public Dictionary<string, HashSet<InMemoryPresence>> Shared { get; } = new(Nickname.Comparer);

    public InMemoryStreamLog Streams { get; } = new(store);

    /// <summary>Typing signals per (user, scope), so the throttle holds across the cluster's nodes.</summary>
    public TypingThrottle Typing { get; } = new();

    /// <summary>Once per cluster, by its first node to connect: takes in what the store held from before, then starts forgetting unused streams.</summary>
    public async Task StartUpkeepAsync(CancellationToken cancellationToken)
    {
        await _upkeepGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_upkeep is null)
            {
                Streams.Adopt(await store.ListStreamsAsync(cancellationToken).ConfigureAwait(false));
                Streams.AdoptSent(await store.ListSentAsync(Streams.DedupSince(), cancellationToken).ConfigureAwait(false));
                _upkeep = new StreamUpkeep(Streams);
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
