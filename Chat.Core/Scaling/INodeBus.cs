using System.Net.WebSockets;

namespace Fleck.Chat.Scaling;

/// <summary>
/// Carries bytes from this node to the others; the receiving side is <see cref="IBackplaneNode"/>.
/// Nothing here keeps state or numbers anything: a publish never blocks, and while the backplane is
/// down it is dropped, so the sender's own members are never held up by the other nodes.
/// </summary>
public interface INodeBus
{
    /// <summary>
    /// Hands a message to every other node, for all of its members, which receive it as
    /// <paramref name="type"/> (<see cref="WebSocketMessageType.Text"/> or
    /// <see cref="WebSocketMessageType.Binary"/>) with exactly these bytes.
    /// </summary>
    void PublishToAll(ReadOnlyMemory<byte> payload, WebSocketMessageType type);

    /// <summary>Hands a text message to the node that holds <paramref name="nickname"/> (every node, for a shared claim), for that member only.</summary>
    void PublishToMember(string nickname, ReadOnlyMemory<byte> text);

    /// <summary>Asks every other node to close each local connection of <paramref name="nickname"/> with <paramref name="closeCode"/>.</summary>
    void PublishDisconnect(string nickname, int closeCode);

    /// <summary>
    /// This node has its first member in <paramref name="room"/> (a room, or another stream such as
    /// nick-broadcast's chat): the stream's numbered messages and the room's events reach it from the
    /// moment this completes.
    /// </summary>
    ValueTask SubscribeRoomAsync(string room, CancellationToken cancellationToken);

    /// <summary>This node has no member left in <paramref name="room"/>: its traffic stops coming here.</summary>
    ValueTask UnsubscribeRoomAsync(string room);

    /// <summary>Hands an unnumbered event to the other nodes subscribed to the room (never to this one).</summary>
    void PublishRoomEvent(string room, ReadOnlyMemory<byte> text);

    /// <summary>
    /// Hands a signal to the other nodes (never to this one): an unnumbered, unkept event for the
    /// connections that asked for such events. <paramref name="scope"/> says whether
    /// <paramref name="name"/> is a stream (then only nodes subscribed to it get it, and not for
    /// <paramref name="exceptUser"/>'s connections) or a user. Dropped while the backplane is down.
    /// The default drops it: a bus that carries no signals leaves them to the sender's node.
    /// </summary>
    void PublishSignal(SignalScope scope, string name, string? exceptUser, ReadOnlyMemory<byte> text)
    {
    }
}
