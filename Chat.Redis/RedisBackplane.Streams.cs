using Fleck.Chat.Scaling;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Fleck.Chat.Redis;

/// <summary>
/// The bounds of streams in Redis. Every stream key expires a time to live after its last use (each
/// script that touches a stream renews it), and a sorted set scored by those expiry times counts the
/// streams of all nodes for the most allowed. A stream a node still has members in is kept alive by
/// that node, which renews it several times per time to live, and once more when its last member there leaves.
/// </summary>
public sealed partial class RedisBackplane
{
    private static readonly TimeSpan LongestUpkeepPeriod = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ShortestUpkeepPeriod = TimeSpan.FromMilliseconds(50);

    private StreamLimits _streamLimits = new();
    private Task _streamUpkeep = Task.CompletedTask;

    /// <inheritdoc />
    public void LimitStreams(StreamLimits limits) => _streamLimits = limits ?? throw new ArgumentNullException(nameof(limits));

    /// <inheritdoc />
    public async ValueTask<bool> TryOpenRoomAsync(string room, CancellationToken cancellationToken)
    {
        var limits = _streamLimits;
        try
        {
            return (long)await Db.ScriptEvaluateAsync(RoomScripts.Open,
                [Rooms.Stream(room), Rooms.History(room), Rooms.StreamCount],
                [NewEpoch(), TtlMs(limits), NowMs(), room, limits.MaxStreams]).WaitAsync(cancellationToken).ConfigureAwait(false) == 1;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            throw Unavailable(ex);
        }
    }

    /// <summary>Starts renewing the streams this node has members in; stops with <see cref="_stopping"/>.</summary>
    private void StartStreamUpkeep() => _streamUpkeep = Task.Run(() => KeepStreamsAsync(_stopping.Token), CancellationToken.None);

    private async Task KeepStreamsAsync(CancellationToken stopping)
    {
        var period = TimeSpan.FromTicks(Math.Clamp(_streamLimits.Ttl.Ticks / 4, ShortestUpkeepPeriod.Ticks, LongestUpkeepPeriod.Ticks));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                try
                {
                    await RenewStreamsAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (IsRedisFailure(ex))
                {
                    _logger.LogDebug("Stream renewal skipped, Redis unavailable: {Error}", ex.Message);
                }
                catch (Exception ex)
                {
                    // The loop must go on: a stream not renewed would expire under its members.
                    _logger.LogError(ex, "Stream renewal failed");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task RenewStreamsAsync()
    {
        if (!_redis.IsConnected)
        {
            return;
        }
        // Sent together: the multiplexer pipelines them, one round trip for all.
        var renewals = new List<Task>();
        foreach (var room in _roomQueues.Keys)
        {
            renewals.Add(TouchStreamAsync(room));
        }
        renewals.Add(Db.ScriptEvaluateAsync(RoomScripts.PruneCount, [Rooms.StreamCount], [NowMs()]));
        await Task.WhenAll(renewals).ConfigureAwait(false);
    }

    private Task TouchStreamAsync(string room) =>
        Db.ScriptEvaluateAsync(RoomScripts.Touch, [Rooms.Stream(room), Rooms.History(room), Rooms.StreamCount], [TtlMs(_streamLimits), NowMs(), room]);

    private static long TtlMs(StreamLimits limits) => (long)limits.Ttl.TotalMilliseconds;

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
