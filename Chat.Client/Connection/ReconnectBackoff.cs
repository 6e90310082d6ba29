namespace Fleck.Chat.Client.Connection;

/// <summary>
/// Full-jitter exponential backoff: attempt n waits a uniform random time in [0, min(max, base·2^n)],
/// so clients cut by the same outage spread their reconnects instead of arriving together.
/// </summary>
internal sealed class ReconnectBackoff(TimeSpan baseDelay, TimeSpan maxDelay, Func<double> random)
{
    /// <summary>With the shared random source.</summary>
    public ReconnectBackoff(TimeSpan baseDelay, TimeSpan maxDelay)
        : this(baseDelay, maxDelay, Random.Shared.NextDouble)
    {
    }

    /// <summary>The longest attempt <paramref name="attempt"/> (from 0) may wait.</summary>
    public TimeSpan Ceiling(int attempt)
    {
        // 2^30 half-seconds is far past any sane maximum; stop doubling before the double overflows.
        var factor = Math.Pow(2, Math.Min(attempt, 30));
        return TimeSpan.FromTicks((long)Math.Min(maxDelay.Ticks, baseDelay.Ticks * factor));
    }

    /// <summary>How long attempt <paramref name="attempt"/> (from 0) waits.</summary>
    public TimeSpan Delay(int attempt) => TimeSpan.FromTicks((long)(Ceiling(attempt).Ticks * Math.Clamp(random(), 0, 1)));
}
