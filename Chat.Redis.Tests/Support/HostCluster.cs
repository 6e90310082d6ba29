namespace Fleck.Chat.Redis.Tests.Support;

/// <summary>
/// Chat.Host processes sharing one redis-server of their own, each started in one mode on loopback
/// with the same extra flags and ready (banner shown). Disposing stops the hosts, then Redis.
/// </summary>
internal sealed class HostCluster : IAsyncDisposable
{
    private readonly List<HostProcess> _hosts = [];
    private readonly string[] _hostArgs;

    private HostCluster(RedisServer redis, string[] hostArgs)
    {
        Redis = redis;
        _hostArgs = hostArgs;
    }

    public RedisServer Redis { get; }

    /// <summary>The hosts in the order they were started.</summary>
    public IReadOnlyList<HostProcess> Hosts => _hosts;

    /// <summary>
    /// Starts a redis-server and <paramref name="hosts"/> hosts in <paramref name="mode"/> with
    /// <c>--redis</c> pointing at it, plus <paramref name="extra"/>; on failure whatever started is stopped.
    /// </summary>
    public static async Task<HostCluster> StartAsync(int hosts, string mode, CancellationToken ct, params string[] extra)
    {
        var redis = await RedisServer.StartAsync();
        var cluster = new HostCluster(redis, [.. HostProcess.OnLoopback(mode), "--redis", redis.Configuration, .. extra]);
        try
        {
            for (var i = 0; i < hosts; i++)
            {
                cluster._hosts.Add(await HostProcess.StartReadyAsync(ct, cluster._hostArgs));
            }
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
        await Redis.DisposeAsync();
    }
}
