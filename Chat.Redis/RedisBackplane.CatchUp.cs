using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Fleck.Chat.Redis;

/// <summary>
/// Catching up with the broadcast channel: a node publishes a mark there and waits for it to come
/// back. Redis hands every subscriber the channel's messages in the order it ran the publishes, and
/// this node handles them one at a time, so once the mark is back, everything published before it
/// has been delivered here.
/// </summary>
public sealed partial class RedisBackplane
{
    /// <summary>
    /// How long a history read waits to catch up. It only saves a joining member a second copy of a
    /// message (see <see cref="GetHistoryAsync"/>), so past it the history is returned anyway; a
    /// round trip normally takes well under a millisecond.
    /// </summary>
    private static readonly TimeSpan CatchUpLimit = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<ulong, TaskCompletionSource> _catchUps = new();
    private long _lastCatchUp;

    /// <summary>Completes once everything published to the broadcast channel before the call has been delivered here, or after <see cref="CatchUpLimit"/>.</summary>
    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        if (!_redis.IsConnected || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }
        var number = (ulong)Interlocked.Increment(ref _lastCatchUp);
        var back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _catchUps[number] = back;
        try
        {
            _redis.GetSubscriber().Publish(_keys.Broadcast, Envelope.ForAll(Envelope.CatchUp, _nodeIdBytes, number, []), CommandFlags.FireAndForget);
            await back.Task.WaitAsync(CatchUpLimit, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException || IsRedisFailure(ex))
        {
            _logger.LogDebug("Did not catch up with the broadcast channel: {Error}", ex.Message);
        }
        finally
        {
            _catchUps.TryRemove(number, out _);
        }
    }

    /// <summary>A mark of this node's came back.</summary>
    private void OnCatchUp(ReadOnlyMemory<byte> data)
    {
        if (Envelope.TryReadForAll(data, out var number, out _) && _catchUps.TryRemove(number, out var back))
        {
            back.TrySetResult();
        }
    }
}
