using System.Net.WebSockets;
using Fleck.Chat.Rooms;

namespace Fleck.Chat.Scaling;

/// <summary>
/// The side of a chat server that a backplane delivers to, whichever of its parts the traffic
/// comes from: one node, one callback surface, given once to <see cref="IChatBackplane.ConnectAsync"/>.
/// </summary>
public interface IBackplaneNode
{
    // From presence: claims and members that came or went without a message of their own.

    /// <summary>Members of another node are gone (it died, or its claims expired): local members are told they left.</summary>
    void MembersLost(IReadOnlyCollection<string> nicknames);

    /// <summary>Nicknames held by this node's members, for re-claiming them after the backplane returns.</summary>
    IReadOnlyCollection<string> LocalNicknames { get; }

    /// <summary>
    /// A local member lost its nickname to a conflict after a backplane outage: it leaves the room
    /// without a <c>leave</c> event (the name stays online, held by the member on the other node) and is disconnected.
    /// </summary>
    void NicknameLost(string nickname);

    /// <summary>
    /// Members of another node that the others were told had left (that node was cut off long
    /// enough to be taken for dead) are back without having reconnected: local members are told they joined.
    /// </summary>
    void MembersReturned(IReadOnlyCollection<string> nicknames);

    /// <summary>A member of another node that died left <paramref name="room"/>: the node's members of that room are told.</summary>
    void RoomMemberLost(string room, string nickname);

    // From the bus: messages and requests of other nodes.

    /// <summary>A message from another node for every local member, to be sent as <paramref name="type"/> (text or binary).</summary>
    void DeliverToAll(ReadOnlyMemory<byte> payload, WebSocketMessageType type);

    /// <summary>A message from another node for one local member; ignored if that member is not here.</summary>
    void DeliverToMember(string nickname, ReadOnlyMemory<byte> text);

    /// <summary>Another node asks to close every local connection of <paramref name="nickname"/> with <paramref name="closeCode"/>; ignored if none is here.</summary>
    void DisconnectMember(string nickname, int closeCode);

    /// <summary>An unnumbered event of <paramref name="room"/> from another node, for the node's members of that room.</summary>
    void DeliverRoomEvent(string room, ReadOnlyMemory<byte> text);

    // From the stream log: numbered messages, in offset order.

    /// <summary>
    /// A numbered message of <paramref name="stream"/>, in offset order, for the node's members of that
    /// stream. <paramref name="epoch"/> is the stream's epoch when it was numbered: offsets start again
    /// under a new epoch (the shared store lost the stream).
    /// </summary>
    void DeliverStreamMessage(string stream, string epoch, RoomEntry entry);

    /// <summary>
    /// A signal of another node (see <see cref="INodeBus.PublishSignal"/>), for the node's connections
    /// in that scope that asked for such events, but <paramref name="exceptUser"/>'s.
    /// </summary>
    void DeliverSignal(SignalScope scope, string name, string? exceptUser, ReadOnlyMemory<byte> text)
    {
    }
}
