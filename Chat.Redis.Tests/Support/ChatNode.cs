using Fleck.Chat.Modes;
using StackExchange.Redis;

namespace Fleck.Chat.Redis.Tests.Support;

/// <summary>
/// One node of a chat: a <see cref="ChatServer"/> on an OS-chosen port whose <see cref="RedisBackplane"/>
/// runs over a connection this fixture owns, so a test can cut it abruptly as a crash would.
/// </summary>
internal sealed class ChatNode : IAsyncDisposable
{
    private readonly List<ChatClient> _clients = [];
    private bool _disposed;

    private ChatNode(ChatServer server, RedisBackplane backplane, ConnectionMultiplexer redis)
    {
        Server = server;
        Backplane = backplane;
        Redis = redis;
    }

    public ChatServer Server { get; }

    public RedisBackplane Backplane { get; }

    public ConnectionMultiplexer Redis { get; }

    /// <param name="redisConfiguration">Where this node reaches Redis (the server itself, or a relay in front of it).</param>
    public static async Task<ChatNode> StartAsync(IChatMode mode, string redisConfiguration, RedisBackplaneOptions options, ChatServerOptions? serverOptions = null)
    {
        var redis = await ConnectionMultiplexer.ConnectAsync(RedisConnectionSettings.Parse(redisConfiguration));
        var backplane = new RedisBackplane(redis, options);
        serverOptions ??= new ChatServerOptions();
        serverOptions = serverOptions with { Backplane = backplane, Transport = serverOptions.Transport with { Port = 0 } };
        var server = new ChatServer(mode, serverOptions);
        await server.StartAsync();
        return new ChatNode(server, backplane, redis);
    }

    public async Task<ChatClient> ConnectAsync(string path, CancellationToken ct)
    {
        var client = await ChatClient.ConnectAsync(Server.Port, path, ct);
        lock (_clients)
        {
            _clients.Add(client);
        }
        return client;
    }

    /// <summary>Connects under a nickname and waits for the users event that confirms the login.</summary>
    public async Task<ChatClient> JoinAsync(string nickname, CancellationToken ct)
    {
        var client = await ConnectAsync("/websocket/" + Uri.EscapeDataString(nickname), ct);
        await client.ReceiveEventAsync("users", ct);
        return client;
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

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        List<ChatClient> clients;
        lock (_clients)
        {
            clients = [.. _clients];
        }
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
        await Server.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
