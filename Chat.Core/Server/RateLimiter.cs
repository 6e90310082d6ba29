namespace Fleck.Chat.Server;

/// <summary>
/// A token bucket per connection: <c>rate</c> messages per second on average, bursts of up to
/// <c>burst</c>. It also tells persistent abuse apart from a moment's excess: more dropped
/// messages in one window than the rate allows in that window.
/// Thread-safety: none; one connection's messages are handled one at a time.
/// </summary>
internal sealed class RateLimiter(double rate, int burst)
{
    private const long WindowMs = 10_000;

    private double _tokens = burst;
    private long _lastRefill = Environment.TickCount64;
    private long _windowStart = Environment.TickCount64;
    private int _droppedInWindow;
    private bool _limited;

    public bool Enabled => rate > 0;

    public RateDecision Take()
    {
        if (!Enabled)
        {
            return RateDecision.Allowed;
        }
        var now = Environment.TickCount64;
        _tokens = Math.Min(burst, _tokens + (now - _lastRefill) * rate / 1000.0);
        _lastRefill = now;
        if (_tokens >= 1)
        {
            _tokens -= 1;
            _limited = false;
            return RateDecision.Allowed;
        }
        if (now - _windowStart > WindowMs)
        {
            _windowStart = now;
            _droppedInWindow = 0;
        }
        _droppedInWindow++;
        if (_droppedInWindow > Math.Max(burst, rate * WindowMs / 1000.0))
        {
            return RateDecision.Abusive;
        }
        // Tell the client once when it starts being limited, not for every dropped message.
        var first = !_limited;
        _limited = true;
        return first ? RateDecision.DroppedFirst : RateDecision.Dropped;
    }
}

internal enum RateDecision
{
    Allowed,
    DroppedFirst,
    Dropped,
    Abusive,
}
