namespace Fleck.Chat.Transport;

/// <summary>Whether a new connection from an address may go on, and if not, which limit it hit.</summary>
internal enum AddressVerdict
{
    Admitted,
    TooManyConnections,
    TooManyPendingHandshakes,
    TooFast,
}

/// <summary>
/// The per-address limits of one <see cref="WebSocketServer"/>: connections held (upgraded or in the
/// handshake), connections still in the handshake, and a token bucket of new connections per second.
/// <para>
/// The table holds an entry only while its address has connections, and after the last one closes
/// until its bucket has filled again (burst ÷ rate, 2 s by default); <see cref="Prune"/>, run by the
/// server's sweep, removes those. So it stays as large as the addresses connected now, whatever
/// number of addresses has ever been seen.
/// </para>
/// Thread-safety: every member may be called from any thread; one lock, held for a few field updates.
/// </summary>
internal sealed class AddressLimiter
{
    private readonly object _lock = new();
    private readonly Dictionary<ClientAddress, Entry> _entries = [];
    // Entries with no connections left whose bucket was not yet full; Prune looks at these only.
    private readonly Queue<ClientAddress> _retiring = new();
    // The queue's length, read by Prune without the lock so that a sweep with nothing to do takes none.
    private int _retiringCount;
    private readonly int _maxConnections;
    private readonly int _maxPending;
    private readonly double _perMs;
    private readonly double _burst;
    private readonly Func<long> _clock;

    /// <param name="maxConnections">Connections one address may hold (0 = no limit).</param>
    /// <param name="maxPending">Connections one address may have in the handshake (0 = no limit).</param>
    /// <param name="perSecond">New connections per second one address may open on average (0 = no limit).</param>
    /// <param name="burst">New connections one address may open at once.</param>
    /// <param name="clock">Milliseconds, as <see cref="Environment.TickCount64"/> (the default) counts them.</param>
    public AddressLimiter(int maxConnections, int maxPending, double perSecond, int burst, Func<long>? clock = null)
    {
        _maxConnections = maxConnections;
        _maxPending = maxPending;
        _perMs = perSecond > 0 ? perSecond / 1000 : 0;
        _burst = Math.Max(1, burst);
        _clock = clock ?? (static () => Environment.TickCount64);
    }

    /// <summary>A limiter for <paramref name="options"/>, or null when every per-address limit is off.</summary>
    public static AddressLimiter? For(WebSocketServerOptions options) =>
        options.MaxConnectionsPerAddress <= 0 && options.MaxPendingHandshakesPerAddress <= 0 && options.HandshakesPerSecondPerAddress <= 0
            ? null
            : new AddressLimiter(options.MaxConnectionsPerAddress, options.MaxPendingHandshakesPerAddress,
                options.HandshakesPerSecondPerAddress, options.HandshakeBurstPerAddress);

    /// <summary>Addresses in the table (those with connections, and those whose bucket is still filling).</summary>
    public int Tracked
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Connections <paramref name="address"/> holds now (upgraded or in the handshake), and those of them in the handshake.</summary>
    public (int Open, int Pending) CountsOf(ClientAddress address)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(address, out var e) ? (e.Open, e.Pending) : (0, 0);
        }
    }

    /// <summary>
    /// A new connection from <paramref name="address"/>: when admitted it counts as one the address holds
    /// (and, with <paramref name="handshaking"/>, as one in the handshake) until it is released.
    /// </summary>
    public AddressVerdict TryAdmit(ClientAddress address, bool handshaking)
    {
        var now = _clock();
        lock (_lock)
        {
            if (!_entries.TryGetValue(address, out var entry))
            {
                entry = new Entry { Tokens = _burst, RefilledAt = now };
                _entries.Add(address, entry);
            }
            var verdict = Check(entry, handshaking, now);
            if (verdict == AddressVerdict.Admitted)
            {
                entry.Open++;
                if (handshaking)
                {
                    entry.Pending++;
                }
            }
            else if (entry.Open == 0)
            {
                Retire(address, entry, now);
            }
            return verdict;
        }
    }

    /// <summary>A connection admitted with handshaking set has finished its handshake; without <paramref name="upgraded"/> it is gone too.</summary>
    public void HandshakeEnded(ClientAddress address, bool upgraded)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(address, out var entry))
            {
                entry.Pending--;
                if (!upgraded)
                {
                    Close(address, entry);
                }
            }
        }
    }

    /// <summary>A connection admitted for <paramref name="address"/> has ended.</summary>
    public void Release(ClientAddress address)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(address, out var entry))
            {
                Close(address, entry);
            }
        }
    }

    /// <summary>Drops the entries of addresses with no connections whose bucket has filled again; the sweep calls it.</summary>
    public void Prune()
    {
        if (Volatile.Read(ref _retiringCount) == 0)
        {
            return;
        }
        var now = _clock();
        lock (_lock)
        {
            for (var n = _retiring.Count; n > 0; n--)
            {
                var address = _retiring.Dequeue();
                if (!_entries.TryGetValue(address, out var entry))
                {
                    continue;
                }
                if (entry.Open > 0)
                {
                    entry.Retiring = false;
                }
                else if (Refill(entry, now) >= _burst)
                {
                    _entries.Remove(address);
                }
                else
                {
                    _retiring.Enqueue(address);
                }
            }
            Volatile.Write(ref _retiringCount, _retiring.Count);
        }
    }

    private AddressVerdict Check(Entry entry, bool handshaking, long now)
    {
        if (_maxConnections > 0 && entry.Open >= _maxConnections)
        {
            return AddressVerdict.TooManyConnections;
        }
        if (handshaking && _maxPending > 0 && entry.Pending >= _maxPending)
        {
            return AddressVerdict.TooManyPendingHandshakes;
        }
        if (_perMs > 0)
        {
            if (Refill(entry, now) < 1)
            {
                return AddressVerdict.TooFast;
            }
            entry.Tokens--;
        }
        return AddressVerdict.Admitted;
    }

    private double Refill(Entry entry, long now)
    {
        if (_perMs <= 0)
        {
            return _burst;
        }
        entry.Tokens = Math.Min(_burst, entry.Tokens + (now - entry.RefilledAt) * _perMs);
        entry.RefilledAt = now;
        return entry.Tokens;
    }

    private void Close(ClientAddress address, Entry entry)
    {
        if (--entry.Open <= 0)
        {
            entry.Open = 0;
            Retire(address, entry, _clock());
        }
    }

    /// <summary>An entry without connections: gone at once if its bucket is full, otherwise once it is (<see cref="Prune"/>).</summary>
    private void Retire(ClientAddress address, Entry entry, long now)
    {
        if (entry.Pending > 0)
        {
            return;
        }
        if (Refill(entry, now) >= _burst)
        {
            _entries.Remove(address);
        }
        else if (!entry.Retiring)
        {
            entry.Retiring = true;
            _retiring.Enqueue(address);
            Volatile.Write(ref _retiringCount, _retiring.Count);
        }
    }

    private sealed class Entry
    {
        public int Open;
        public int Pending;
        public bool Retiring;
        public double Tokens;
        public long RefilledAt;
    }
}
