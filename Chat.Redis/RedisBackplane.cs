using System.Security.Cryptography;
using System.Text;
using Fleck.Chat.Scaling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Fleck.Chat.Redis;

/// <summary>
/// Several chat servers share one chat through Redis. Each server (node) gets a random id; members
/// on the node are served directly, and Redis carries the rest:
/// <list type="bullet">
/// <item>broadcasts on one channel per chat, stamped with the origin node, which ignores its own;</item>
/// <item>private messages on the channel of the node that holds the target's nickname claim;</item>
/// <item>nickname claims (atomic, with a TTL the node keeps refreshing) and presence, per node;</item>
/// <item>a heartbeat per node, so the survivors free a dead node's nicknames and tell their members it left;</item>
/// <item>the numbered streams of nick-broadcast's chat and of rooms, each with its own channel (see the rooms part).</item>
/// </list>
/// During a Redis outage local chat goes on, new nicknames cannot be claimed, and traffic to other
/// nodes is dropped; when Redis returns the node re-claims its nicknames and traffic resumes.
/// <code>
/// var backplane = await RedisBackplane.ConnectAsync("127.0.0.1:6379", loggerFactory, ct);
/// await using var chat = new ChatServer(new NickBroadcastMode(), new ChatServerOptions { Backplane = backplane });
/// </code>
/// Thread-safety: all members may be called concurrently.
/// </summary>
public sealed partial class RedisBackplane : IChatBackplane
{
    private readonly IConnectionMultiplexer _redis;
    private readonly bool _ownsConnection;
    private readonly RedisBackplaneOptions _options;
    private readonly ILogger _logger;
    private readonly RedisKeys _keys;
    private readonly byte[] _nodeIdBytes;
    private readonly ClaimBook _claims = new();
    private readonly DuplicateFilter _seen = new();
    private readonly CancellationTokenSource _stopping = new();
    private IBackplaneNode? _node;
    private ChannelMessageQueue? _broadcastQueue;
    private ChannelMessageQueue? _ownQueue;
    private Task _maintenance = Task.CompletedTask;
    private int _disposed;

    /// <summary>
    /// A backplane over a connection the caller owns (and disposes after this backplane). For the
    /// outage behaviour described above, configure it with <see cref="RedisConnectionSettings.Apply"/>.
    /// </summary>
    public RedisBackplane(IConnectionMultiplexer redis, RedisBackplaneOptions? options = null, ILogger? logger = null)
        : this(redis, ownsConnection: false, options, logger)
    {
    }

    private RedisBackplane(IConnectionMultiplexer redis, bool ownsConnection, RedisBackplaneOptions? options, ILogger? logger)
    {
        _redis = redis ?? throw new ArgumentNullException(nameof(redis));
        _ownsConnection = ownsConnection;
        _options = options ?? new RedisBackplaneOptions();
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
        NodeId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(Envelope.NodeIdLength / 2));
        _nodeIdBytes = Encoding.ASCII.GetBytes(NodeId);
        _keys = new RedisKeys(_options.Prefix, NodeId);
        _redis.ConnectionFailed += OnConnectionFailed;
        _redis.ConnectionRestored += OnConnectionRestored;
    }

    /// <summary>This node's random id (16 hex digits), as it appears in Redis keys and channels.</summary>
    public string NodeId { get; }

    // Both overloads are published; the second needs its options argument, so no call can match both.
#pragma warning disable RS0026 // Do not add multiple public overloads with optional parameters
    /// <summary>
    /// Connects to Redis and returns a backplane that owns the connection; the entry point for a host.
    /// <paramref name="configuration"/> is <c>host:port</c> or any StackExchange.Redis configuration
    /// string. Fails (with <see cref="RedisConnectionException"/>) when Redis cannot be reached now;
    /// once connected, outages are survived.
    /// </summary>
    public static Task<IChatBackplane> ConnectAsync(string configuration, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default) =>
        ConnectAsync(configuration, new RedisBackplaneOptions(), loggerFactory, cancellationToken);

    /// <inheritdoc cref="ConnectAsync(string, ILoggerFactory?, CancellationToken)"/>
    public static async Task<IChatBackplane> ConnectAsync(string configuration, RedisBackplaneOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
#pragma warning restore RS0026
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var settings = RedisConnectionSettings.Parse(configuration);
        var connecting = ConnectionMultiplexer.ConnectAsync(settings);
        try
        {
            await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Whatever the connect attempt still produces must not be left open.
            _ = connecting.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw;
        }
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Fleck.Chat.Redis");
        return new RedisBackplane(connecting.Result, ownsConnection: true, options, logger);
    }

    /// <inheritdoc />
    async Task IChatBackplane.ConnectAsync(IBackplaneNode node, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.CompareExchange(ref _node, node ?? throw new ArgumentNullException(nameof(node)), null) is not null)
        {
            throw new InvalidOperationException("This backplane already serves a chat server; each server needs its own.");
        }
        // A message queue per channel runs its handler for one message at a time, in order: chat
        // messages from one node reach the members in the order they were sent.
        _broadcastQueue = await SubscribeAsync(_keys.Broadcast, cancellationToken).ConfigureAwait(false);
        _broadcastQueue.OnMessage(OnBroadcast);
        _ownQueue = await SubscribeAsync(_keys.OwnChannel, cancellationToken).ConfigureAwait(false);
        _ownQueue.OnMessage(OnOwnChannel);
        await HeartbeatAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Joined the chat {Prefix} in Redis as node {NodeId}", _options.Prefix, NodeId);
        _maintenance = Task.Run(() => MaintainAsync(_stopping.Token), CancellationToken.None);
        StartStreamUpkeep();
    }

    /// <summary>
    /// Leaves the chat: stops refreshing, frees the nicknames this node still holds (the others are
    /// told those members left), and closes the connection if this backplane opened it.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _maintenance.ConfigureAwait(false);
        await _streamUpkeep.ConfigureAwait(false);
        _redis.ConnectionFailed -= OnConnectionFailed;
        _redis.ConnectionRestored -= OnConnectionRestored;
        if (_node is not null)
        {
            await LeaveClusterAsync().ConfigureAwait(false);
        }
        if (_ownsConnection)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }
        _stopping.Dispose();
    }

    private IDatabase Db => _redis.GetDatabase();

    /// <summary>How long joining waits for the subscription connection, which may come up a little after the multiplexer reports itself connected.</summary>
    private static readonly TimeSpan SubscribeGrace = TimeSpan.FromSeconds(10);

    private async Task<ChannelMessageQueue> SubscribeAsync(RedisChannel channel, CancellationToken cancellationToken)
    {
        var subscriber = _redis.GetSubscriber();
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

    private async Task LeaveClusterAsync()
    {
        try
        {
            var unsubscribes = new List<Task>();
            if (_broadcastQueue is not null)
            {
                unsubscribes.Add(_broadcastQueue.UnsubscribeAsync());
            }
            if (_ownQueue is not null)
            {
                unsubscribes.Add(_ownQueue.UnsubscribeAsync());
            }
            await Task.WhenAll(unsubscribes).ConfigureAwait(false);
            await SweepAsync(NodeId, force: true).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            // Nothing lost: the claims and the heartbeat expire, and a survivor sweeps this node.
            _logger.LogWarning("Could not leave the chat cleanly ({Error}); the other nodes will notice within {Ttl}", ex.Message, _options.ClaimTimeToLive);
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) =>
        _logger.LogWarning("Lost the {Type} connection to Redis at {EndPoint} ({Failure}); local chat goes on, other nodes are out of reach",
            e.ConnectionType, e.EndPoint, e.FailureType);

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        _logger.LogInformation("The {Type} connection to Redis at {EndPoint} is back; re-claiming this node's nicknames", e.ConnectionType, e.EndPoint);
        Wake();
    }

    /// <summary>What a Redis call throws when Redis cannot answer (down, restarting, or this node's connection closed).</summary>
    private static bool IsRedisFailure(Exception ex) => ex is RedisException or TimeoutException or ObjectDisposedException;

    private static BackplaneUnavailableException Unavailable(Exception ex) => new("Redis is unavailable: " + ex.Message, ex);
}
