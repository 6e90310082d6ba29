using Fleck.Chat.Modes;

namespace Fleck.Chat.Redis.Tests.Support;

/// <summary>Several in-process chat nodes sharing one chat in one Redis, under a prefix of their own so tests never see each other.</summary>
internal sealed class ChatCluster : IAsyncDisposable
{
    private readonly List<ChatNode> _nodes = [];

    private ChatCluster(RedisServer redis, IChatMode mode, RedisBackplaneOptions options, ChatServerOptions? serverOptions)
    {
        Redis = redis;
        Mode = mode;
        Options = options;
        ServerOptions = serverOptions;
    }

    public RedisServer Redis { get; }

    public IChatMode Mode { get; }

    public RedisBackplaneOptions Options { get; }

    public ChatServerOptions? ServerOptions { get; }

    public ChatNode this[int index] => _nodes[index];

    /// <summary>
    /// Timings short enough for tests of expiry (a node is taken for dead 6-7.5 s after its last
    /// heartbeat) with room for four missed refreshes on a loaded machine.
    /// </summary>
    public static RedisBackplaneOptions Quick(string? prefix = null) => new()
    {
        Prefix = prefix ?? NewPrefix(),
        ClaimTimeToLive = TimeSpan.FromSeconds(6),
        RefreshInterval = TimeSpan.FromSeconds(1.5),
    };

    public static string NewPrefix() => "t" + Guid.NewGuid().ToString("N")[..12] + ":";

    /// <summary>Starts <paramref name="count"/> nodes; <paramref name="options"/> default to the product defaults under a fresh prefix.</summary>
    public static async Task<ChatCluster> StartAsync(RedisServer redis, IChatMode mode, int count, RedisBackplaneOptions? options = null, ChatServerOptions? serverOptions = null)
    {
        var cluster = new ChatCluster(redis, mode, options ?? new RedisBackplaneOptions { Prefix = NewPrefix() }, serverOptions);
        for (var i = 0; i < count; i++)
        {
            await cluster.AddNodeAsync();
        }
        return cluster;
    }

    /// <summary>
    /// Adds a node; <paramref name="redisConfiguration"/> lets it reach Redis through a relay, and
    /// <paramref name="wrap"/> puts a test backplane between the server and Redis.
    /// </summary>
    public async Task<ChatNode> AddNodeAsync(string? redisConfiguration = null, Func<RedisBackplane, Scaling.IChatBackplane>? wrap = null)
    {
        var node = await ChatNode.StartAsync(Mode, redisConfiguration ?? Redis.Configuration, Options, ServerOptions, wrap);
        _nodes.Add(node);
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }
}
