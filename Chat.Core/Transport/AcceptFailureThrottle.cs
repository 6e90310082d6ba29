using System.Net.Sockets;

namespace Fleck.Chat.Transport;

/// <summary>
/// Paces the accept loop when accepting fails for lack of resources (out of file descriptors, out of
/// socket buffers): each failure in a row doubles the wait before the next attempt, from
/// <c>firstDelay</c> up to <c>maxDelay</c>, and a successful accept starts over. A failure is to be
/// reported at most once per <c>reportInterval</c>, with the number of failures since the last report,
/// so a server out of descriptors writes a line every few seconds rather than thousands a second.
/// Thread-safety: none; the accept loop is its only user.
/// </summary>
internal sealed class AcceptFailureThrottle(TimeSpan reportInterval, TimeSpan firstDelay, TimeSpan maxDelay, Func<long>? clock = null)
{
    private readonly Func<long> _clock = clock ?? (static () => Environment.TickCount64);
    private readonly long _reportIntervalMs = (long)reportInterval.TotalMilliseconds;
    private TimeSpan _delay;
    private int _unreported;
    private long _firstUnreportedAt;
    private long _lastReportAt;
    private bool _reported;

    /// <summary>The server's own pacing: 50 ms doubling to 1 s, one report per 10 s.</summary>
    public AcceptFailureThrottle()
        : this(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1))
    {
    }

    /// <summary>
    /// Whether a failed accept means the process is short of a resource (descriptors, buffers, memory),
    /// so trying again at once would only fail again. A connection reset or aborted before it was
    /// accepted is the peer's doing and the next accept is unaffected.
    /// </summary>
    public static bool IsResourceShortage(SocketError error) =>
        error is not (SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Interrupted);

    /// <summary>The wait before the next attempt while failures go on.</summary>
    public TimeSpan Delay => _delay;

    /// <summary>
    /// A resource failure: lengthens the wait, which it returns. <paramref name="report"/> is the number
    /// of failures to report now (this one included) over <paramref name="seconds"/>, or 0 when a report
    /// was made less than the report interval ago.
    /// </summary>
    public TimeSpan OnFailure(out int report, out int seconds)
    {
        var now = _clock();
        _delay = _delay == TimeSpan.Zero ? firstDelay : TimeSpan.FromTicks(Math.Min(_delay.Ticks * 2, maxDelay.Ticks));
        if (_unreported == 0)
        {
            _firstUnreportedAt = now;
        }
        _unreported++;
        if (_reported && now - _lastReportAt < _reportIntervalMs)
        {
            report = 0;
            seconds = 0;
            return _delay;
        }
        report = _unreported;
        seconds = (int)Math.Max(1, (now - _firstUnreportedAt + 999) / 1000);
        _unreported = 0;
        _reported = true;
        _lastReportAt = now;
        return _delay;
    }

    /// <summary>A connection was accepted: the next failure waits the shortest time again.</summary>
    public void OnAccepted() => _delay = TimeSpan.Zero;
}
