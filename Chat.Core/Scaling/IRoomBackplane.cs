using Fleck.Chat.Rooms;

namespace Fleck.Chat.Scaling;

/// <summary>
/// The room side of a backplane: each room is a numbered stream with a history, a member list and
/// a channel that only the nodes with a member in that room listen to. Nick-broadcast's one chat is
/// such a stream too. A backplane that does not implement it leaves rooms and nick-broadcast's chat
/// to the node alone (the server logs a warning when it starts with one).
/// </summary>
public interface IRoomBackplane
{
    /// <summary>Where room traffic for this node goes; set once, before <see cref="IChatBackplane.ConnectAsync"/>.</summary>
    void AttachRooms(IRoomStreamNode node);

    /// <summary>
    /// What the streams may hold (kept messages and bytes, time to live, how many at once); set once,
    /// before <see cref="IChatBackplane.ConnectAsync"/>. A backplane that ignores it keeps streams unbounded.
    /// </summary>
    void LimitStreams(StreamLimits limits)
    {
    }

    /// <summary>
    /// Makes sure <paramref name="room"/>'s stream exists before a member joins it, and marks it used:
    /// false, with nothing created, when it does not exist and <see cref="StreamLimits.MaxStreams"/>
    /// streams already do (all nodes counted). Reads and appends create a stream without this check.
    /// </summary>
    ValueTask<bool> TryOpenRoomAsync(string room, CancellationToken cancellationToken) => ValueTask.FromResult(true);

    /// <summary>This node has its first member in <paramref name="room"/>: the room's traffic reaches it from the moment this completes.</summary>
    ValueTask SubscribeRoomAsync(string room, CancellationToken cancellationToken);

    /// <summary>This node has no member left in <paramref name="room"/>: its traffic stops coming here.</summary>
    ValueTask UnsubscribeRoomAsync(string room);

    /// <summary>
    /// Numbers a message (the next offset of the room's stream, atomically across nodes), keeps it in
    /// the room's history (the last <paramref name="capacity"/> messages) and hands it, in offset order,
    /// to every node subscribed to the room, this one included, through
    /// <see cref="IRoomStreamNode.DeliverRoomMessage"/>. Returns the entry.
    /// </summary>
    ValueTask<RoomEntry> AppendRoomMessageAsync(string room, string name, string msg, long ts, int capacity, CancellationToken cancellationToken);

    /// <summary>The stream's epoch, latest offset and last <paramref name="count"/> messages, read together (consistently).</summary>
    ValueTask<RoomStreamState> ReadRoomAsync(string room, int count, CancellationToken cancellationToken);

    /// <summary>Hands an unnumbered event to the other nodes subscribed to the room (never to this one). Never blocks.</summary>
    void PublishRoomEvent(string room, ReadOnlyMemory<byte> text);

    /// <summary>
    /// Records that <paramref name="nickname"/> has one more connection in the room. True when it is
    /// the nickname's first there on any node (the room's others are to be told it joined), decided
    /// in the same atomic step as the count.
    /// </summary>
    ValueTask<bool> AddRoomMemberAsync(string room, string nickname, CancellationToken cancellationToken);

    /// <summary>
    /// Records that <paramref name="nickname"/> has one connection fewer in the room. True when it had
    /// no other there on any node (the room's others are to be told it left), decided in the same
    /// atomic step as the count.
    /// </summary>
    ValueTask<bool> RemoveRoomMemberAsync(string room, string nickname);

    /// <summary>The room's members on every node.</summary>
    ValueTask<IReadOnlyList<string>> GetRoomMembersAsync(string room, CancellationToken cancellationToken);

    /// <summary>Rooms with members and their counts, every node counted.</summary>
    ValueTask<IReadOnlyList<RoomCount>> GetRoomCountsAsync(CancellationToken cancellationToken);
}

/// <summary>The side of a chat server that room traffic from the backplane is delivered to.</summary>
public interface IRoomStreamNode
{
    /// <summary>
    /// A numbered message of <paramref name="room"/>, in offset order, for the node's members of that
    /// room. <paramref name="epoch"/> is the stream's epoch when it was numbered: offsets start again
    /// under a new epoch (the shared store lost the stream).
    /// </summary>
    void DeliverRoomMessage(string room, string epoch, RoomEntry entry);

    /// <summary>An unnumbered event of <paramref name="room"/> from another node, for the node's members of that room.</summary>
    void DeliverRoomEvent(string room, ReadOnlyMemory<byte> text);

    /// <summary>A member of another node that died left <paramref name="room"/>: the node's members of that room are told.</summary>
    void RoomMemberLost(string room, string nickname);
}
