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
/// <item>the numbered streams of nick-broadcast's chat and of rooms, each with its own channel.</item>
/// </list>
/// Each job is one part: <see cref="Presence"/> (claims and room members), <see cref="Bus"/> (channels),
/// <see cref="Streams"/> (numbering, history and its expiry), and the maintenance loop (heartbeats,
/// re-claims after an outage, sweeping dead nodes). This class owns the connection and their lifetime.
/// During a Redis outage local chat goes on, new nicknames cannot be claimed, and traffic to other
/// nodes is dropped; when Redis returns the node re-claims its nicknames and traffic resumes.
/// <code>
/// var backplane = await RedisBackplane.ConnectAsync("127.0.0.1:6379", loggerFactory, ct);
/// await using var chat = new ChatServer(new NickBroadcastMode(), new ChatServerOptions { Backplane = backplane });
/// </code>
/// Thread-safety: all members may be called concurrently.
/// </summary>
public sealed class RedisBackplane : IChatBackplane
{
    private readonly RedisContext _context;
    private readonly bool _ownsConnection;
    private readonly RedisPresence _presence;
    private readonly RedisNodeBus _bus;
    private readonly RedisStreamLog _streams;
    private readonly RedisNodeMaintenance _maintenance;
    private Task _maintaining = Task.CompletedTask;
    private Task _streamUpkeep = Task.CompletedTask;

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
        ArgumentNullException.ThrowIfNull(redis);
        options ??= new RedisBackplaneOptions();
        options.Validate();
        _context = new RedisContext(redis, options, logger ?? NullLogger.Instance);
        _ownsConnection = ownsConnection;
        _presence = new RedisPresence(_context);
        _streams = new RedisStreamLog(_context);
        _bus = new RedisNodeBus(_context, _presence, _streams);
        _maintenance = new RedisNodeMaintenance(_context, _presence);
        redis.ConnectionFailed += OnConnectionFailed;
        redis.ConnectionRestored += OnConnectionRestored;
    }

    /// <summary>This node's random id (16 hex digits), as it appears in Redis keys and channels.</summary>
    public string NodeId => _context.NodeId;

    /// <summary>Chat messages this node could not hand to Redis (it was unreachable); they reached local members only.</summary>
    public long DroppedMessages => _context.DroppedMessages;

    /// <summary>Room messages and events this node has received from Redis (all rooms), for tests and diagnostics.</summary>
    public long RoomMessagesReceived => _bus.RoomMessagesReceived;

    /// <summary>The rooms this node is subscribed to right now.</summary>
    public IReadOnlyCollection<string> SubscribedRooms => _bus.SubscribedRooms;

    /// <inheritdoc />
    public IPresence Presence => _presence;

    /// <inheritdoc />
    public INodeBus Bus => _bus;

    /// <inheritdoc />
    public IStreamLog Streams => _streams;

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
        ObjectDisposedException.ThrowIf(_context.IsDisposed, this);
        if (!_context.TryAttach(node ?? throw new ArgumentNullException(nameof(node))))
        {
            throw new InvalidOperationException("This backplane already serves a chat server; each server needs its own.");
        }
        await _bus.JoinAsync(cancellationToken).ConfigureAwait(false);
        await _maintenance.HeartbeatAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        _context.Logger.LogInformation("Joined the chat {Prefix} in Redis as node {NodeId}", _context.Options.Prefix, NodeId);
        _maintaining = Task.Run(_maintenance.MaintainAsync, CancellationToken.None);
        _streamUpkeep = Task.Run(() => _streams.KeepAliveAsync(() => _bus.SubscribedRooms), CancellationToken.None);
    }

    /// <summary>
    /// Leaves the chat: stops refreshing, frees the nicknames this node still holds (the others are
    /// told those members left), and closes the connection if this backplane opened it.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (!await _context.TryStopAsync().ConfigureAwait(false))
        {
            return;
        }
        await _maintaining.ConfigureAwait(false);
        await _streamUpkeep.ConfigureAwait(false);
        var redis = _context.Redis;
        redis.ConnectionFailed -= OnConnectionFailed;
        redis.ConnectionRestored -= OnConnectionRestored;
        if (_context.Node is not null)
        {
            await LeaveClusterAsync().ConfigureAwait(false);
        }
        if (_ownsConnection)
        {
            await redis.DisposeAsync().ConfigureAwait(false);
        }
        _context.Release();
    }

    private async Task LeaveClusterAsync()
    {
        try
        {
            await _bus.LeaveAsync().ConfigureAwait(false);
            await _maintenance.SweepAsync(NodeId, force: true).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            // Nothing lost: the claims and the heartbeat expire, and a survivor sweeps this node.
            _context.Logger.LogWarning("Could not leave the chat cleanly ({Error}); the other nodes will notice within {Ttl}", ex.Message, _context.Options.ClaimTimeToLive);
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) =>
        _context.Logger.LogWarning("Lost the {Type} connection to Redis at {EndPoint} ({Failure}); local chat goes on, other nodes are out of reach",
            e.ConnectionType, e.EndPoint, e.FailureType);

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        _context.Logger.LogInformation("The {Type} connection to Redis at {EndPoint} is back; re-claiming this node's nicknames", e.ConnectionType, e.EndPoint);
        _maintenance.Wake();
    }

    /// <summary>
    /// A <see cref="RedisBanList"/> over this backplane's connection and key prefix, for
    /// <see cref="ChatServerOptions.Bans"/>; it works while this backplane is not disposed.
    /// </summary>
    public IBanList CreateBanList() => new RedisBanList(_context.Redis, _context.Options.Prefix);
}
