using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Host.Http.Kestrel;

/// <summary>
/// Counts the connections Kestrel turns away at the pages' connection cap and reports them as one
/// Warning per period at most, instead of Kestrel's own line per refused connection, so a flood of
/// connections grows the log by a bounded number of lines.
/// </summary>
internal sealed class RefusedConnections : IDisposable
{
    private readonly ILogger _logger;
    private readonly int _cap;
    private readonly TimeSpan _period;
    private readonly Timer _timer;
    private long _count;

    public RefusedConnections(ILogger logger, int cap, TimeSpan period)
    {
        _logger = logger;
        _cap = cap;
        _period = period;
        _timer = new Timer(_ => Report(), null, period, period);
    }

    /// <summary>One more connection was refused.</summary>
    public void Add() => Interlocked.Increment(ref _count);

    private void Report()
    {
        var count = Interlocked.Exchange(ref _count, 0);
        if (count > 0)
        {
            _logger.LogWarning("Pages: refused {Count} connections in the last {Seconds:0} s: {Cap} were open already (--max-page-connections)", count, _period.TotalSeconds, _cap);
        }
    }

    /// <summary>Stops the timer and reports what is still counted.</summary>
    public void Dispose()
    {
        _timer.Dispose();
        Report();
    }
}
