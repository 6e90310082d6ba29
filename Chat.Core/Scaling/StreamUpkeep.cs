namespace Fleck.Chat.Scaling;

/// <summary>
/// Forgets the streams of an <see cref="InMemoryStreamLog"/> that were unused for the time to live,
/// in memory and in its store, checking several times per time to live (at least every 5 seconds),
/// so a stream goes within moments of its time. Disposing stops it; a pass under way finishes first.
/// </summary>
internal sealed class StreamUpkeep : IAsyncDisposable
{
    private static readonly TimeSpan LongestPeriod = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ShortestPeriod = TimeSpan.FromMilliseconds(50);

    private readonly InMemoryStreamLog _streams;
    private readonly Timer _timer;
    private int _running;

    public StreamUpkeep(InMemoryStreamLog streams)
    {
        _streams = streams;
        var period = Math.Clamp(streams.Limits.Ttl.Ticks / 8, ShortestPeriod.Ticks, LongestPeriod.Ticks);
        _timer = new Timer(_ => Sweep(), null, TimeSpan.FromTicks(period), TimeSpan.FromTicks(period));
    }

    /// <summary>One pass; a pass still running when the timer fires again is not doubled.</summary>
    public void Sweep()
    {
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            return;
        }
        try
        {
            var forgotten = _streams.ForgetUnusedSince(StreamRecency.Now() - (long)_streams.Limits.Ttl.TotalMilliseconds);
            if (forgotten.Count > 0)
            {
                _streams.Store.Forget(forgotten);
            }
            var sentBefore = _streams.DedupSince();
            _streams.Sent.ForgetBefore(sentBefore);
            _streams.Store.ForgetSentBefore(sentBefore);
        }
        catch (Exception)
        {
            // A store that cannot forget now keeps those rows; they are past their time, so the next
            // start forgets them (see ListStreamsAsync). The timer must not die of it.
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    public ValueTask DisposeAsync() => _timer.DisposeAsync();
}
