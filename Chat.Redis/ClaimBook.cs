namespace Fleck.Chat.Redis;

/// <summary>
/// This node's own record of the nicknames it holds, by claim suffix. It is what the node refreshes
/// and re-claims, and it serializes claims and releases of one name on this node: a claim or release
/// is reserved here and its Redis command queued under the same lock, so Redis (which runs the
/// commands of one connection in order) sees them in the order the book changed.
/// Thread-safety: all members may be called concurrently.
/// </summary>
internal sealed class ClaimBook
{
    private readonly Dictionary<string, Claim> _claims = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pendingReleases = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>One claim of one name; a new claim of the same name is a new instance.</summary>
    public sealed class Claim(string nickname, string suffix)
    {
        public string Nickname { get; } = nickname;
        public string Suffix { get; } = suffix;
        public bool Confirmed { get; set; }
    }

    /// <summary>
    /// Reserves a name and queues the claim command (<paramref name="send"/>) under the lock. Null when
    /// a local member already holds or is claiming the name.
    /// </summary>
    public (Claim Claim, Task<T> Command)? TryReserve<T>(string nickname, string suffix, Func<Task<T>> send)
    {
        lock (_lock)
        {
            if (_claims.ContainsKey(suffix))
            {
                return null;
            }
            var claim = new Claim(nickname, suffix);
            _claims.Add(suffix, claim);
            try
            {
                var command = send();
                _pendingReleases.Remove(suffix);
                return (claim, command);
            }
            catch
            {
                _claims.Remove(suffix);
                throw;
            }
        }
    }

    public void Confirm(Claim claim)
    {
        lock (_lock)
        {
            claim.Confirmed = true;
        }
    }

    /// <summary>Takes a claim out of the book if it is still this one; true if it was.</summary>
    public bool Remove(Claim claim)
    {
        lock (_lock)
        {
            return _claims.TryGetValue(claim.Suffix, out var current) && current == claim && _claims.Remove(claim.Suffix);
        }
    }

    /// <summary>Takes a name out of the book and queues its release command under the lock; null if the book did not hold it.</summary>
    public Task? Release(string suffix, Func<Task> send)
    {
        lock (_lock)
        {
            if (!_claims.Remove(suffix))
            {
                return null;
            }
            return send();
        }
    }

    /// <summary>A release that could not reach Redis: retried by the next refresh unless the name is claimed again first.</summary>
    public void AddPendingRelease(string suffix)
    {
        lock (_lock)
        {
            if (!_claims.ContainsKey(suffix))
            {
                _pendingReleases.Add(suffix);
            }
        }
    }

    /// <summary>Queues the pending releases (under the lock, so no claim of the same name can slip in between).</summary>
    public List<(string Suffix, Task Command)> SendPendingReleases(Func<string, Task> send)
    {
        lock (_lock)
        {
            var sent = new List<(string, Task)>(_pendingReleases.Count);
            foreach (var suffix in _pendingReleases)
            {
                sent.Add((suffix, send(suffix)));
            }
            _pendingReleases.Clear();
            return sent;
        }
    }

    public bool Holds(string suffix)
    {
        lock (_lock)
        {
            return _claims.TryGetValue(suffix, out var claim) && claim.Confirmed;
        }
    }

    public Claim? Find(string suffix)
    {
        lock (_lock)
        {
            return _claims.GetValueOrDefault(suffix);
        }
    }

    /// <summary>
    /// Queues the refresh of the confirmed claims (<paramref name="send"/>) under the lock, like a claim
    /// or a release: a release queued after it reaches Redis after it. Were the refresh queued after a
    /// release of a name it had listed, it would find the name gone and claim it again.
    /// </summary>
    public (List<Claim> Claims, Task<T>[] Commands) SendRefresh<T>(Func<List<Claim>, Task<T>[]> send)
    {
        lock (_lock)
        {
            List<Claim> claims = [.. _claims.Values.Where(c => c.Confirmed)];
            return (claims, claims.Count == 0 ? [] : send(claims));
        }
    }


    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _claims.Count;
            }
        }
    }
}
