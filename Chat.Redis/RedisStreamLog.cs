using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;
using StackExchange.Redis;

namespace Fleck.Chat.Redis;

/// <summary>
/// The numbered streams in Redis. A message is numbered (its stream's counter advanced) in the same script that
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

    // Epochs only need to differ between a stream's lives and between nodes: a random start per
    // node and a count from it, rather than two calls into the system's random source per message.
    private readonly ulong _epochStart = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private long _epochsMade;

    private StreamLimits _limits = new();

    private RoomKeys Keys => context.Rooms;

    /// <inheritdoc />
    public void LimitStreams(StreamLimits limits) => _limits = limits ?? throw new ArgumentNullException(nameof(limits));

    /// <inheritdoc />
    public async ValueTask<bool> TryOpenStreamAsync(string stream, CancellationToken cancellationToken)
    {
        var limits = _limits;
        ThrowIfNotListening();
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
    public async ValueTask<RoomEntry> AppendAsync(string stream, string name, string msg, long ts, int capacity, CancellationToken cancellationToken) =>
        (await AppendAsync(new StreamAppend(stream, name, msg, ts, capacity), cancellationToken).ConfigureAwait(false)).Entry;

    /// <inheritdoc />
    /// <remarks>One script numbers the message in both streams and records the id (<c>SET PX</c> the window), so the same id through two nodes at once is numbered once.</remarks>
    public async ValueTask<StreamAppendResult> AppendAsync(StreamAppend append, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(append);
        var json = JsonSerializer.SerializeToUtf8Bytes(new StoredMessage(append.Name, append.Msg, append.Ts, append.Id, append.To), RedisJsonContext.Default.StoredMessage);
        var limits = _limits;
        var dedup = append is { User: { } user, Id: { } id };
        RedisKey[] keys = append.CopyTo is { } copy && copy != append.Stream
            ? [Keys.Stream(append.Stream), Keys.History(append.Stream), Keys.StreamCount, SentKey(append), Keys.Stream(copy), Keys.History(copy)]
            : [Keys.Stream(append.Stream), Keys.History(append.Stream), Keys.StreamCount, SentKey(append)];
        ThrowIfNotListening();
        try
        {
            var result = (RedisResult[])(await context.Db.ScriptEvaluateAsync(RoomScripts.Append, keys,
                [NewEpoch(), json, Math.Min(Math.Max(0, append.Capacity), limits.Retain), Keys.ChannelName(append.Stream), limits.RetainBytes, Encoding.UTF8.GetByteCount(append.Msg),
                    TtlMs(limits), NowMs() + TtlMs(limits), append.Stream, append.Origin, dedup ? (long)limits.DedupWindow.TotalMilliseconds : 0,
                    keys.Length > 4 ? NewEpoch() : "", Keys.ChannelName(append.CopyTo ?? ""), append.CopyTo ?? ""]).WaitAsync(cancellationToken).ConfigureAwait(false))!;
            if ((long)result[0] == 1)
            {
                var earlier = ParseSent(result[1].ToString());
                return new StreamAppendResult(append.ToEntry(earlier.Offset ?? 0), Duplicate: true);
            }
            return new StreamAppendResult(append.ToEntry((long)result[1]));
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            throw RedisContext.Unavailable(ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<SentMessage?> FindSentAsync(string user, string id, CancellationToken cancellationToken)
    {
        try
        {
            var value = await context.Db.StringGetAsync(SentKey(user, id)).WaitAsync(cancellationToken).ConfigureAwait(false);
            return value.IsNull ? null : ParseSent(value.ToString());
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            throw RedisContext.Unavailable(ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<SentMessage> RecordSentAsync(string user, string id, SentMessage sent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sent);
        try
        {
            var earlier = await context.Db.ScriptEvaluateAsync(RoomScripts.RecordSent, [SentKey(user, id)],
                [(sent.Offset?.ToString(CultureInfo.InvariantCulture) ?? "-") + " " + sent.Stream, (long)_limits.DedupWindow.TotalMilliseconds]).WaitAsync(cancellationToken).ConfigureAwait(false);
            return earlier.IsNull ? sent : ParseSent(earlier.ToString());
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            throw RedisContext.Unavailable(ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> StreamExistsAsync(string stream, CancellationToken cancellationToken)
    {
        try
        {
            return await context.Db.KeyExistsAsync(Keys.Stream(stream)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            throw RedisContext.Unavailable(ex);
        }
    }

    /// <summary>A stream opened or numbered while this node's subscription is not back would be heard by nobody here.</summary>
    private void ThrowIfNotListening()
    {
        if (context.SubscriptionDown)
        {
            throw new BackplaneUnavailableException("Redis is unavailable: this node is not listening to its streams yet");
        }
    }

    /// <summary>The record of a user's id: <c>&lt;prefix&gt;sent:&lt;length of user&gt;:&lt;user&gt;:&lt;id&gt;</c> (the length keeps a ':' in a name from meeting the id's).</summary>
    private RedisKey SentKey(string user, string id) => Keys.SentPrefix + user.Length.ToString(CultureInfo.InvariantCulture) + ":" + user + ":" + id;

    /// <summary>The id's record, or the stream's own hash (never read as one) for a send without id.</summary>
    private RedisKey SentKey(StreamAppend append) => append is { User: { } user, Id: { } id } ? SentKey(user, id) : Keys.Stream(append.Stream);

    /// <summary>"offset stream", the offset "-" when the send was not numbered.</summary>
    private static SentMessage ParseSent(string value)
    {
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        var offset = space > 0 && long.TryParse(value.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : (long?)null;
        return new SentMessage(space >= 0 ? value[(space + 1)..] : "", offset, NowMs());
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
    private string NewEpoch() => unchecked(_epochStart + (ulong)Interlocked.Increment(ref _epochsMade)).ToString("x16", CultureInfo.InvariantCulture);

    private static long TtlMs(StreamLimits limits) => (long)limits.Ttl.TotalMilliseconds;

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
