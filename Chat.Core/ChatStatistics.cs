namespace Fleck.Chat;

/// <summary>A snapshot of a chat server's counters; the message and byte counts are cumulative.</summary>
/// <param name="Connections">Open WebSocket connections.</param>
/// <param name="Members">Connections that have joined the room.</param>
/// <param name="MessagesReceived">Messages received from clients since start.</param>
/// <param name="MessagesDelivered">Messages queued to recipients since start (one per recipient).</param>
/// <param name="BytesDelivered">Bytes of those deliveries, frame headers included.</param>
public sealed record ChatStatistics(int Connections, int Members, long MessagesReceived, long MessagesDelivered, long BytesDelivered);
