using Fleck.Chat.Protocol;
using Fleck.Chat.Scaling;
using StackExchange.Redis;

namespace Fleck.Chat.Redis;

/// <summary>
/// An <see cref="IBanList"/> in Redis, shared by every node of a chat: the sorted set
/// <c>&lt;prefix&gt;bans</c> (member: the user's nickname key, score: when the ban ends, in Unix
/// milliseconds) and the hash <c>&lt;prefix&gt;bans:names</c> (the user as named when banned). A
/// lookup is one <c>ZSCORE</c>, so a ban made through any node refuses the user everywhere as soon
/// as <see cref="BanAsync"/> returns. Expired bans are pruned when the list is read.
/// Get one from <see cref="RedisBackplane.CreateBanList"/>, or build it over a connection of your own.
/// Thread-safety: every member may be called concurrently.
/// </summary>
/// <param name="redis">The connection; the caller keeps owning it.</param>
/// <param name="prefix">The chat's key prefix (<see cref="RedisBackplaneOptions.Prefix"/>).</param>
public sealed class RedisBanList(IConnectionMultiplexer redis, string prefix) : IBanList
{
    // Pruning and reading in one script, so a name is never dropped from the hash while its ban is read as live.
    private const string ListScript = """
        local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        for i = 1, #expired do redis.call('HDEL', KEYS[2], expired[i]) end
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        local live = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
        local out = {}
        for i = 1, #live, 2 do
          out[#out + 1] = redis.call('HGET', KEYS[2], live[i]) or live[i]
          out[#out + 1] = live[i + 1]
        end
        return out
        """;

    private readonly IConnectionMultiplexer _redis = redis ?? throw new ArgumentNullException(nameof(redis));
    private readonly RedisKey _bans = (prefix ?? throw new ArgumentNullException(nameof(prefix))) + "bans";
    private readonly RedisKey _names = prefix + "bans:names";

    /// <inheritdoc />
    public async ValueTask BanAsync(string user, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        var key = Nickname.Key(user);
        await RunAsync(db =>
        {
            var transaction = db.CreateTransaction();
            _ = transaction.SortedSetAddAsync(_bans, key, until.ToUnixTimeMilliseconds());
            _ = transaction.HashSetAsync(_names, key, user);
            return transaction.ExecuteAsync();
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask UnbanAsync(string user, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        var key = Nickname.Key(user);
        await RunAsync(db =>
        {
            var transaction = db.CreateTransaction();
            _ = transaction.SortedSetRemoveAsync(_bans, key);
            _ = transaction.HashDeleteAsync(_names, key);
            return transaction.ExecuteAsync();
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> IsBannedAsync(string user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var until = await RunAsync(db => db.SortedSetScoreAsync(_bans, Nickname.Key(user))).ConfigureAwait(false);
        return until > DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<BanEntry>> ListAsync(CancellationToken cancellationToken = default)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var result = await RunAsync(db => db.ScriptEvaluateAsync(ListScript, [_bans, _names], [now])).ConfigureAwait(false);
        var flat = (RedisResult[])result!;
        var bans = new List<BanEntry>(flat.Length / 2);
        for (var i = 0; i + 1 < flat.Length; i += 2)
        {
            var until = (long)double.Parse((string)flat[i + 1]!, System.Globalization.CultureInfo.InvariantCulture);
            bans.Add(new BanEntry((string)flat[i]!, DateTimeOffset.FromUnixTimeMilliseconds(until)));
        }
        return [.. bans.OrderBy(b => b.User, Nickname.Comparer)];
    }

    private async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> command)
    {
        try
        {
            return await command(_redis.GetDatabase()).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            throw new BackplaneUnavailableException("Redis is unavailable: " + ex.Message, ex);
        }
    }
}
