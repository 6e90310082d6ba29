using System.Numerics;

namespace Fleck.Chat.Bench;

/// <summary>
/// Latencies in buckets of 1/8 of a power of two (12.5% wide) from 1 µs up: constant memory, no
/// allocation and no floating-point log per sample, precise enough for p50/p99.
/// Thread-safety: one writer per instance; merge afterwards.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBuckets = 8;
    private const int Buckets = 64 * SubBuckets;
    private readonly long[] _counts = new long[Buckets];
    private long _max;

    public long Count { get; private set; }

    public void Record(long microseconds)
    {
        var us = (ulong)Math.Max(1, microseconds);
        var exp = BitOperations.Log2(us);
        var sub = exp >= 3 ? (int)((us >> (exp - 3)) & 7) : (int)((us << (3 - exp)) & 7);
        _counts[exp * SubBuckets + sub]++;
        Count++;
        if ((long)us > _max)
        {
            _max = (long)us;
        }
    }

    public void Merge(LatencyHistogram other)
    {
        for (var i = 0; i < Buckets; i++)
        {
            _counts[i] += other._counts[i];
        }
        Count += other.Count;
        _max = Math.Max(_max, other._max);
    }

    public double MaxMs => _max / 1000.0;

    /// <summary>Upper edge of the bucket holding the p-th sample, in milliseconds.</summary>
    public double PercentileMs(double p)
    {
        if (Count == 0)
        {
            return 0;
        }
        var target = (long)Math.Ceiling(Count * p);
        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += _counts[i];
            if (seen >= target)
            {
                var exp = i / SubBuckets;
                var upper = (1UL << exp) + ((ulong)(i % SubBuckets + 1) << exp) / SubBuckets;
                return Math.Min(upper, (ulong)_max) / 1000.0;
            }
        }
        return MaxMs;
    }
}
