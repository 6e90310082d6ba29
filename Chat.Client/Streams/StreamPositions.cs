namespace Fleck.Chat.Client;

/// <summary>Where the client stands in one stream: its epoch, and how far it has seen.</summary>
/// <param name="Epoch">The stream's epoch.</param>
/// <param name="LastSeen">The highest offset yielded (0 before any).</param>
/// <param name="Baseline">The stream's latest offset when this client first entered it: what its replayed history covered.</param>
internal sealed record StreamPosition(string Epoch, long LastSeen, long Baseline)
{
    /// <summary>The <c>since</c> to resume from: everything up to it has been seen or was before this client came.</summary>
    public long ResumeFrom => Math.Max(LastSeen, Baseline);
}

/// <summary>
/// The positions of every stream the client reads: the connection's own (nick-broadcast's chat, or
/// the private inbox; key <see cref="Own"/>) and each room. Decides which numbered messages to yield
/// (each offset once per epoch) and when to report a gap.
/// Thread-safety: called from the receive loop, and read by the connect path; all members lock.
/// </summary>
internal sealed class StreamPositions
{
    /// <summary>The key of the connection's own stream (room names are never empty).</summary>
    public const string Own = "";

    private readonly object _gate = new();
    private readonly Dictionary<string, StreamPosition> _positions = new(StringComparer.Ordinal);

    // Streams whose gap was already reported in the current subscription (an epoch change is
    // followed by recovered:false; one gap is reported for both).
    private readonly HashSet<string> _gapReported = new(StringComparer.Ordinal);

    /// <summary>The position to resume <paramref name="stream"/> from, or null when the client has none.</summary>
    public StreamPosition? Get(string stream)
    {
        lock (_gate)
        {
            return _positions.GetValueOrDefault(stream);
        }
    }

    /// <summary>The server's <c>users</c> or <c>joined</c> named the stream's epoch and latest offset. True when this is a gap (the epoch changed).</summary>
    public bool Entered(string stream, string epoch, long latest)
    {
        lock (_gate)
        {
            _gapReported.Remove(stream);
            if (_positions.TryGetValue(stream, out var known) && known.Epoch == epoch)
            {
                return false;
            }
            // New to this stream, or it started over: yield from offset 1 of this epoch on.
            _positions[stream] = new StreamPosition(epoch, 0, latest);
            if (known is null)
            {
                return false;
            }
            _gapReported.Add(stream);
            return true;
        }
    }

    /// <summary>A <c>recovered</c> event ended a resume. True when it reports a gap not reported yet.</summary>
    public bool Recovered(string stream, bool recovered)
    {
        lock (_gate)
        {
            return !recovered && _gapReported.Add(stream);
        }
    }

    /// <summary>
    /// A numbered message of <paramref name="stream"/> arrived. True when it should be yielded: its offset
    /// is past the last one seen in this epoch (or the stream is not tracked).
    /// </summary>
    public bool Accept(string stream, long offset)
    {
        lock (_gate)
        {
            if (offset <= 0 || !_positions.TryGetValue(stream, out var known))
            {
                return true;
            }
            if (offset <= known.LastSeen)
            {
                return false;
            }
            _positions[stream] = known with { LastSeen = offset };
            return true;
        }
    }

    /// <summary>Stops tracking a room the client left.</summary>
    public void Forget(string stream)
    {
        lock (_gate)
        {
            _positions.Remove(stream);
            _gapReported.Remove(stream);
        }
    }
}
