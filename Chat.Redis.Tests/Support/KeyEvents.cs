using StackExchange.Redis;

namespace Fleck.Chat.Redis.Tests.Support;

/// <summary>A change Redis reported for a key: the key without the watched prefix, and what happened (<c>set</c>, <c>expired</c>, ...).</summary>
internal readonly record struct KeyEvent(string Key, string Event);

/// <summary>
/// Redis keyspace notifications for the keys under one prefix, read in the order Redis sent them:
/// the way to wait for what the backplane does in Redis on its own timers (a heartbeat written, a
/// claim expired) instead of waiting for time. Turns notifications on in the server it watches.
/// </summary>
internal sealed class KeyEvents : IAsyncDisposable
{
    private const string ChannelPrefix = "__keyspace@0__:";

    private readonly ConnectionMultiplexer _redis;
    private readonly ChannelMessageQueue _queue;
    private readonly string _prefix;

    private KeyEvents(ConnectionMultiplexer redis, ChannelMessageQueue queue, string prefix)
    {
        _redis = redis;
        _queue = queue;
        _prefix = prefix;
    }

    /// <summary>Watches the keys under <paramref name="prefix"/>; every change made after this returns is reported.</summary>
    public static async Task<KeyEvents> WatchAsync(RedisServer server, string prefix)
    {
        var redis = await server.ConnectAdminAsync();
        try
        {
            // K: one channel per key, with the command as the message; A: every kind of command, expiry included.
            await redis.GetServer(server.Configuration).ConfigSetAsync("notify-keyspace-events", "KA");
            var queue = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Pattern(ChannelPrefix + prefix + "*"));
            return new KeyEvents(redis, queue, prefix);
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    /// <summary>The connection the events come on, with admin commands allowed, for the test to look at keys.</summary>
    public IDatabase Database => _redis.GetDatabase();

    /// <summary>The next change under the prefix.</summary>
    public async Task<KeyEvent> NextAsync(CancellationToken ct)
    {
        var message = await _queue.ReadAsync(ct);
        var key = message.Channel.ToString()[(ChannelPrefix.Length + _prefix.Length)..];
        return new KeyEvent(key, message.Message.ToString());
    }

    /// <summary>The next change that <paramref name="match"/> picks, skipping the others.</summary>
    public async Task<KeyEvent> NextAsync(Func<KeyEvent, bool> match, CancellationToken ct)
    {
        while (true)
        {
            var e = await NextAsync(ct);
            if (match(e))
            {
                return e;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _queue.UnsubscribeAsync();
        await _redis.DisposeAsync();
    }
}
