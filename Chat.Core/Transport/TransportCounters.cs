namespace Fleck.Chat.Transport;

/// <summary>
/// Rare transport events, counted by the <see cref="WebSocketServer"/> that owns this instance and read
/// by whoever reports them (the chat's meter). Plain interlocked totals: the transport knows nothing
/// of metrics, and nothing here runs per message.
/// </summary>
internal sealed class TransportCounters
{
    private readonly long[] _refused = new long[HandshakeRefusalReasons.All.Count];
    private long _slowConsumers;

    /// <summary>Clients cut because their send queue overflowed.</summary>
    public long SlowConsumers => Volatile.Read(ref _slowConsumers);

    public void HandshakeRefused(HandshakeRefusalReason reason) => Interlocked.Increment(ref _refused[(int)reason]);

    public void SlowConsumerCut() => Interlocked.Increment(ref _slowConsumers);

    /// <summary>Handshakes refused so far for <paramref name="reason"/>.</summary>
    public long Refused(HandshakeRefusalReason reason) => Volatile.Read(ref _refused[(int)reason]);
}
