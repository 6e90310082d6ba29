namespace Fleck.Chat.Redis;

/// <summary>
/// Drops a message seen before, by its origin's sequence number: a sliding window of the last
/// <see cref="Window"/> numbers per origin (the anti-replay window of IPsec, RFC 4303 §3.4.3).
/// Messages from one origin arrive in order over one Redis connection, so the window only has to
/// absorb the little reordering between the broadcast and the node channel.
/// Thread-safety: all members may be called concurrently (both channels' loops call it).
/// </summary>
internal sealed class DuplicateFilter
{
    /// <summary>Numbers this far behind the newest are taken as already seen; 1024 is far beyond any reordering between two channels.</summary>
    public const int Window = 1024;

    private readonly Dictionary<string, OriginWindow> _origins = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>True the first time a (origin, sequence) pair is offered, false for a repeat.</summary>
    public bool IsFirst(ReadOnlySpan<byte> originId, ulong sequence)
    {
        lock (_lock)
        {
            var lookup = _origins.GetAlternateLookup<ReadOnlySpan<char>>();
            Span<char> id = stackalloc char[originId.Length];
            for (var i = 0; i < originId.Length; i++)
            {
                id[i] = (char)originId[i];
            }
            if (!lookup.TryGetValue(id, out var window))
            {
                window = new OriginWindow();
                _origins[new string(id)] = window;
            }
            return window.Accept(sequence);
        }
    }

    /// <summary>Forgets origins (nodes that are gone), so the table does not grow with every restart in the cluster.</summary>
    public void Forget(string originId)
    {
        lock (_lock)
        {
            _origins.Remove(originId);
        }
    }

    public int OriginCount
    {
        get
        {
            lock (_lock)
            {
                return _origins.Count;
            }
        }
    }

    private sealed class OriginWindow
    {
        private readonly ulong[] _seen = new ulong[Window / 64];
        private ulong _highest;
        private bool _any;

        public bool Accept(ulong sequence)
        {
            if (!_any || sequence > _highest)
            {
                var shift = _any ? sequence - _highest : ulong.MaxValue;
                if (shift >= Window)
                {
                    Array.Clear(_seen);
                }
                else
                {
                    for (var s = _highest + 1; s < sequence; s++)
                    {
                        Clear(s);
                    }
                }
                _highest = sequence;
                _any = true;
                Set(sequence);
                return true;
            }
            if (_highest - sequence >= Window || IsSet(sequence))
            {
                return false;
            }
            Set(sequence);
            return true;
        }

        private static (int Word, ulong Bit) Slot(ulong sequence) => ((int)(sequence % Window / 64), 1UL << (int)(sequence % 64));

        private bool IsSet(ulong sequence)
        {
            var (word, bit) = Slot(sequence);
            return (_seen[word] & bit) != 0;
        }

        private void Set(ulong sequence)
        {
            var (word, bit) = Slot(sequence);
            _seen[word] |= bit;
        }

        private void Clear(ulong sequence)
        {
            var (word, bit) = Slot(sequence);
            _seen[word] &= ~bit;
        }
    }
}
