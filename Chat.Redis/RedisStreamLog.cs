using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;
using StackExchange.Redis;

namespace Fleck.Chat.Redis;

/// <summary>
/// The numbered streams in Redis. A message is numbered by an atomic HINCRBY in the same script that
/// keeps it in a capped list and publishes it (with the epoch) on the stream's channel, and every
/// node, the sender's included, delivers it from its subscription (<see cref="RedisNodeBus"/>), so all
/// nodes see one order. While Redis is unreachable, messages cannot be numbered (the sender gets an error).
/// <para>
/// Bounds: every stream key expires a time to live after its last use (each script that touches a
/// stream renews it), and a sorted set scored by those expiry times counts the streams of all nodes
/// for the most allowed. A stream a node still has members in is kept alive by that node, which renews
/// it several times per time to live, and once more when its last member there leaves.
/// </para>
/// </summary>
internal sealed partial class RedisStreamLog(RedisContext context) : IStreamLog
{
    private static readonly TimeSpan LongestUpkeepPeriod = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ShortestUpkeepPeriod = TimeSpan.FromMilliseconds(50);

    private StreamLimits _limits = new();

    private RoomKeys Keys => context.Rooms;

    /// <inheritdoc />
    public void LimitStreams(StreamLimits limits) => _limits = limits ?? throw new ArgumentNullException(nameof(limits));

    /// <inheritdoc />
    public async ValueTask<bool> TryOpenStreamAsync(string stream, CancellationToken cancellationToken)
    {
        var limits = _limits;
        try
        {
            return (long)await context.Db.ScriptEvaluateAsync(RoomScripts.Open,
                [Keys.Stream(stream), Keys.History(stream), Keys.StreamCount],
                [NewEpoch(), TtlMs(limits), NowMs(), stream, limits.MaxStreams]).WaitAsync(cancellationToken).ConfigureAwait(false) == 1;
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            throw RedisContext.Unavailable(ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<RoomEntry> AppendAsync(string stream, string name, string msg, long ts, int capacity, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new StoredMessage(name, msg, ts), RedisJsonContext.Default.StoredMessage);
        try
        {
            var limits = _limits;
            var offset = (long)await context.Db.ScriptEvaluateAsync(RoomScripts.Append,
                [Keys.Stream(stream), Keys.History(stream), Keys.StreamCount],
                [NewEpoch(), json, Math.Min(Math.Max(0, capacity), limits.Retain), Keys.ChannelName(stream), limits.RetainBytes, Encoding.UTF8.GetByteCount(msg),
                    TtlMs(limits), NowMs(), stream]).WaitAsync(cancellationToken).ConfigureAwait(false);
            return new RoomEntry(name, msg, ts, offset);
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            throw RedisContext.Unavailable(ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<RoomStreamState> ReadAsync(string stream, int count, CancellationToken cancellationToken)
    {
        RedisResult[] parts;
        try
        {
            parts = (RedisResult[])(await context.Db.ScriptEvaluateAsync(RoomScripts.Read,
                [Keys.Stream(stream), Keys.History(stream), Keys.StreamCount],
                [NewEpoch(), Math.Max(0, count), TtlMs(_limits), NowMs(), stream]).WaitAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            throw RedisContext.Unavailable(ex);
        }
        return new RoomStreamState(parts[0].ToString(), (long)parts[1], Entries(parts[2]));
    }

    /// <summary>Marks a stream used (its time to live counts from now), if it still exists.</summary>
    public Task TouchAsync(string stream) =>
        context.Db.ScriptEvaluateAsync(RoomScripts.Touch, [Keys.Stream(stream), Keys.History(stream), Keys.StreamCount], [TtlMs(_limits), NowMs(), stream]);

    /// <summary>Renews the streams <paramref name="inUse"/> names, several times per time to live, until the backplane stops.</summary>
    public async Task KeepAliveAsync(Func<IEnumerable<string>> inUse)
    {
        var period = TimeSpan.FromTicks(Math.Clamp(_limits.Ttl.Ticks / 4, ShortestUpkeepPeriod.Ticks, LongestUpkeepPeriod.Ticks));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(context.Stopping).ConfigureAwait(false))
            {
                // A stream not renewed would expire under its members.
                await context.RunPassAsync(() => RenewAsync(inUse()), "Stream renewal").ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task RenewAsync(IEnumerable<string> streams)
    {
        if (!context.Redis.IsConnected)
        {
            return;
        }
        // Sent together: the multiplexer pipelines them, one round trip for all.
        var renewals = new List<Task>();
        foreach (var stream in streams)
        {
            renewals.Add(TouchAsync(stream));
        }
        renewals.Add(context.Db.ScriptEvaluateAsync(RoomScripts.PruneCount, [Keys.StreamCount], [NowMs()]));
        await Task.WhenAll(renewals).ConfigureAwait(false);
    }

    /// <summary>An epoch for a stream that has none yet; the scripts keep the first one made.</summary>
    private static string NewEpoch() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private static long TtlMs(StreamLimits limits) => (long)limits.Ttl.TotalMilliseconds;

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
