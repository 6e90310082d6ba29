using System.Net.Sockets;

namespace Fleck.Chat.Transport;

/// <summary>
/// Closes a socket whose handshake runs out of time, or whose server stops, unless the socket has
/// already been handed over as a registered connection. From then on the connection is closed with
/// a close frame like any other (1001 when the server stops); closing its socket under it would end
/// it without one while its 101 is on the way to the client.
/// Thread-safety: the deadline's callback and the handshake may race; exactly one of them wins.
/// </summary>
internal sealed class HandshakeSocketGuard(Socket socket)
{
    private const int Handshaking = 0, HandedOver = 1, Closed = 2;
    private int _state;

    /// <summary>The deadline passed: closes the socket if it is still in the handshake.</summary>
    public void CloseUnlessHandedOver()
    {
        if (Interlocked.CompareExchange(ref _state, Closed, Handshaking) == Handshaking)
        {
            socket.Dispose();
        }
    }

    /// <summary>The handshake succeeded: the deadline no longer closes the socket. False when it already did.</summary>
    public bool TryHandOver() => Interlocked.CompareExchange(ref _state, HandedOver, Handshaking) == Handshaking;
}
