using System.Runtime;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Host;

/// <summary>
/// Gives back the memory a burst of new connections leaves behind once the burst is over.
/// Handshakes allocate and drop a few kilobytes each; the survivors (the connections) are then
/// spread over partly empty regions, and an idle connection allocates nothing, so no collection
/// would ever come to compact them: thousands of idle clients would keep several megabytes of
/// slack committed for good. One compacting collection after the burst, when the count has
/// stopped growing, costs a pause of some tens of milliseconds once and returns that slack.
/// </summary>
internal sealed class AcceptBurstTrim : IAsyncDisposable
{
    private readonly Func<int> _connections;
    private readonly ILogger _logger;
    private readonly int _minimumGrowth;
    private readonly int _quietTicks;
    private readonly Action<int, int>? _trimmed;
    private readonly PeriodicTimer _timer;
    private readonly Task _loop;

    /// <param name="connections">Reads the number of open connections.</param>
    /// <param name="logger">Where each trim is logged (debug).</param>
    /// <param name="period">How often the count is read.</param>
    /// <param name="quietTicks">Readings in a row without growth that make the burst over.</param>
    /// <param name="minimumGrowth">Connections that must have been added since the last trim; a few new clients are not worth a full collection.</param>
    /// <param name="trimmed">Called after each trim with the connections open and those added by the burst.</param>
    public AcceptBurstTrim(Func<int> connections, ILogger logger, TimeSpan period, int quietTicks = 2, int minimumGrowth = 1000, Action<int, int>? trimmed = null)
    {
        _trimmed = trimmed;
        _connections = connections;
        _logger = logger;
        _quietTicks = quietTicks;
        _minimumGrowth = minimumGrowth;
        _timer = new PeriodicTimer(period);
        _loop = LoopAsync();
    }

    private async Task LoopAsync()
    {
        // The count at the last trim (or at start): growth is measured from it.
        var baseline = _connections();
        var previous = baseline;
        var quiet = 0;
        while (await _timer.WaitForNextTickAsync().ConfigureAwait(false))
        {
            var now = _connections();
            if (now < baseline)
            {
                baseline = now; // Clients left: growth counts from the low point.
            }
            quiet = now > previous ? 0 : quiet + 1;
            previous = now;
            if (quiet < _quietTicks || now - baseline < _minimumGrowth)
            {
                continue;
            }
            var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
            // Aggressive: compact every generation (the large object heap too) and decommit the freed space at once.
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            _logger.LogDebug("{Connections} connections after a burst of {Added}: heap compacted, committed {Before} -> {After} bytes",
                now, now - baseline, before, GC.GetGCMemoryInfo().TotalCommittedBytes);
            _trimmed?.Invoke(now, now - baseline);
            baseline = now;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _timer.Dispose();
        await _loop.ConfigureAwait(false);
    }
}
