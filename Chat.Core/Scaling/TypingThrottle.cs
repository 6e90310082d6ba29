namespace Fleck.Chat.Scaling;

/// <summary>
/// Who may signal typing again when, for one in-memory cluster: (user, scope) → the end of its
/// quiet time. Bounded: expired entries are swept out every few seconds and whenever it is full;
/// full of live ones, a new typing is dropped (typing is a hint; memory is not).
/// Thread-safety: all members may be called concurrently.
/// </summary>
internal sealed class TypingThrottle(int capacity = TypingThrottle.DefaultCapacity)
{
    public const int DefaultCapacity = 100_000;

    private const long SweepPeriodMs = 10_000;

    private readonly Dictionary<(string User, string Scope), long> _until = [];
    private readonly Lock _lock = new();
    private long _nextSweep;

    /// <summary>True when (user, scope) had no typing within the last <paramref name="everyMs"/>; its quiet time starts now.</summary>
    public bool TryTake(string user, string scope, long nowMs, long everyMs)
    {
        lock (_lock)
        {
            if (nowMs >= _nextSweep)
            {
                Sweep(nowMs);
            }
            var key = (user, scope);
            if (_until.TryGetValue(key, out var until) && until > nowMs)
            {
                return false;
            }
            if (_until.Count >= capacity && !_until.ContainsKey(key))
            {
                Sweep(nowMs);
                if (_until.Count >= capacity)
                {
                    return false;
                }
            }
            _until[key] = nowMs + everyMs;
            return true;
        }
    }

    /// <summary>Drops the entries whose quiet time is over. Call under the lock.</summary>
    private void Sweep(long nowMs)
    {
        _nextSweep = nowMs + SweepPeriodMs;
        foreach (var key in _until.Where(e => e.Value <= nowMs).Select(e => e.Key).ToList())
        {
            _until.Remove(key);
        }
    }
}
