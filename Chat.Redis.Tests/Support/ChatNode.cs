using Fleck.Chat.Modes;
using StackExchange.Redis;

namespace Fleck.Chat.Redis.Tests.Support;

/// <summary>
/// One node of a chat: a <see cref="ChatFixture"/> whose server runs a <see cref="RedisBackplane"/>
/// over a connection this node owns, so a test can cut it abruptly as a crash would.
/// </summary>
internal sealed class ChatNode : ChatFixture
{
    private ChatNode(ChatServer server, RedisBackplane backplane, ConnectionMultiplexer redis)
        : base(server)
    {
        Backplane = backplane;
        Redis = redis;
    }

    public RedisBackplane Backplane { get; }

    public ConnectionMultiplexer Redis { get; }

    /// <param name="redisConfiguration">Where this node reaches Redis (the server itself, or a relay in front of it).</param>
    /// <param name="wrap">What the server gets instead of the Redis backplane itself, e.g. a wrapper that holds some calls.</param>
    public static async Task<ChatNode> StartAsync(IChatMode mode, string redisConfiguration, RedisBackplaneOptions options, ChatServerOptions? serverOptions = null,
        Func<RedisBackplane, Scaling.IChatBackplane>? wrap = null)
    {
        var redis = await ConnectionMultiplexer.ConnectAsync(RedisConnectionSettings.Parse(redisConfiguration));
        try
        {
            var backplane = new RedisBackplane(redis, options);
            var server = await StartServerAsync(mode, (serverOptions ?? new ChatServerOptions()) with { Backplane = wrap?.Invoke(backplane) ?? backplane });
            return new ChatNode(server, backplane, redis);
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The node dies without a word: its Redis connection is cut at once (no release, no sweep of
    /// itself, no more heartbeats), then its clients are dropped. The other nodes only learn of it
    /// from the expired heartbeat.
    /// </summary>
    public async Task CrashAsync()
    {
        await Redis.CloseAsync(allowCommandsToComplete: false);
        await DisposeAsync();
    }

    protected override async ValueTask DisposeResourcesAsync() => await Redis.DisposeAsync();
}
