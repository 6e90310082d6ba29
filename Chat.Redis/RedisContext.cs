using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Fleck.Chat.Scaling;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Fleck.Chat.Redis;

/// <summary>
/// What the parts of one <see cref="RedisBackplane"/> share: the connection, this node's identity
/// and keys, the node the traffic goes to, and the few ways every part talks to Redis (subscribe,
/// publish without waiting, tell a Redis failure from a bug). Handed to each part explicitly.
/// </summary>
internal sealed class RedisContext
{
    /// <summary>How long joining waits for the subscription connection, which may come up a little after the multiplexer reports itself connected.</summary>
    private static readonly TimeSpan SubscribeGrace = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _stopping = new();
    private IBackplaneNode? _node;
    private long _dropped;
    private int _disposed;

    public RedisContext(IConnectionMultiplexer redis, RedisBackplaneOptions options, ILogger logger)
    {
        Redis = redis;
        Options = options;
        Logger = logger;
        NodeId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(Envelope.NodeIdLength / 2));
        NodeIdBytes = Encoding.ASCII.GetBytes(NodeId);
        Keys = new RedisKeys(options.Prefix, NodeId);
        Rooms = new RoomKeys(options.Prefix);
        ClaimTtlMilliseconds = ((long)options.ClaimTimeToLive.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
    }

    public IConnectionMultiplexer Redis { get; }

    public RedisBackplaneOptions Options { get; }

    public ILogger Logger { get; }

    /// <summary>This node's random id (16 hex digits), as it appears in Redis keys and channels.</summary>
    public string NodeId { get; }

    public byte[] NodeIdBytes { get; }

    public RedisKeys Keys { get; }

    public RoomKeys Rooms { get; }

    /// <summary>The claims' time to live, as the scripts take it.</summary>
    public string ClaimTtlMilliseconds { get; }

    public IDatabase Db => Redis.GetDatabase();

    /// <summary>The node this backplane serves, once connected; traffic that comes before is dropped.</summary>
    public IBackplaneNode? Node => Volatile.Read(ref _node);

    /// <summary>Cancelled when the backplane is disposed: the background loops end.</summary>
    public CancellationToken Stopping => _stopping.Token;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Chat messages this node could not hand to Redis (it was unreachable); they reached local members only.</summary>
    public long DroppedMessages => Interlocked.Read(ref _dropped);

    /// <summary>Sets the node once; false when one is set already.</summary>
    public bool TryAttach(IBackplaneNode node) => Interlocked.CompareExchange(ref _node, node, null) is null;

    /// <summary>Marks the backplane disposed and stops the loops; false when that happened already.</summary>
    public async Task<bool> TryStopAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return false;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        return true;
    }

    /// <summary>After the loops ended.</summary>
    public void Release() => _stopping.Dispose();

    public void CountDropped() => Interlocked.Increment(ref _dropped);

    /// <summary>
    /// Whether the subscription connection is down. Numbered messages reach this node's members only
    /// through it, so while it is down (after an outage it may come back later than the connection for
    /// commands) a message numbered here would be kept but heard by nobody on this node. The client
    /// queues the SUBSCRIBEs of every channel as soon as it is back.
    /// </summary>
    public bool SubscriptionDown => !Redis.GetSubscriber().IsConnected();

    public async Task<ChannelMessageQueue> SubscribeAsync(RedisChannel channel, CancellationToken cancellationToken)
    {
        var subscriber = Redis.GetSubscriber();
        var deadline = DateTime.UtcNow + SubscribeGrace;
        while (true)
        {
            try
            {
                return await subscriber.SubscribeAsync(channel).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline)
            {
                // Fail-fast refuses the command while that connection is still being made: try again shortly.
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Hands a message to Redis without waiting; while Redis is unreachable it is dropped (fail-fast), never queued for later.</summary>
    public void Publish(RedisChannel channel, byte[] envelope)
    {
        if (IsDisposed)
        {
            return;
        }
        try
        {
            if (!Redis.IsConnected)
            {
                CountDropped();
                return;
            }
            Redis.GetSubscriber().Publish(channel, envelope, CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            CountDropped();
        }
    }

    /// <summary>
    /// One pass of a background loop: a Redis outage skips it quietly (the next pass tries again), and
    /// anything else is logged, never thrown, because the loop must go on.
    /// </summary>
    public async Task RunPassAsync(Func<Task> pass, string name)
    {
        try
        {
            await pass().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            Logger.LogDebug("{Pass} skipped, Redis unavailable: {Error}", name, ex.Message);
        }
        catch (Exception ex)
        {
            Logger.LogError(ex, "{Pass} failed", name);
        }
    }

    /// <summary>What a Redis call throws when Redis cannot answer (down, restarting, or this node's connection closed).</summary>
    public static bool IsRedisFailure(Exception ex) => ex is RedisException or TimeoutException or ObjectDisposedException;

    public static BackplaneUnavailableException Unavailable(Exception ex) => new("Redis is unavailable: " + ex.Message, ex);
}
