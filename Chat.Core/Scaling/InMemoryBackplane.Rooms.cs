using Fleck.Chat.Rooms;

namespace Fleck.Chat.Scaling;

/// <summary>Rooms shared by the nodes of one in-memory cluster.</summary>
public sealed partial class InMemoryBackplane : IRoomBackplane
{
    private IRoomStreamNode? _roomNode;

    private IRoomStreamNode RoomNode => _roomNode ?? throw new InvalidOperationException("AttachRooms was not called.");

    /// <inheritdoc />
    public void AttachRooms(IRoomStreamNode node) => _roomNode = node ?? throw new ArgumentNullException(nameof(node));

    /// <inheritdoc />
    public void LimitStreams(StreamLimits limits) => _cluster.Rooms.Limits = limits ?? throw new ArgumentNullException(nameof(limits));

    /// <inheritdoc />
    public ValueTask<bool> TryOpenRoomAsync(string room, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_cluster.Rooms.TryOpen(room));

    /// <inheritdoc />
    public ValueTask SubscribeRoomAsync(string room, CancellationToken cancellationToken)
    {
        _cluster.Rooms.Subscribe(room, RoomNode);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask UnsubscribeRoomAsync(string room)
    {
        _cluster.Rooms.Unsubscribe(room, RoomNode);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<RoomEntry> AppendRoomMessageAsync(string room, string name, string msg, long ts, int capacity, CancellationToken cancellationToken) =>
        _cluster.Rooms.AppendAsync(room, name, msg, ts, capacity, cancellationToken);

    /// <inheritdoc />
    public ValueTask<RoomStreamState> ReadRoomAsync(string room, int count, CancellationToken cancellationToken) =>
        _cluster.Rooms.ReadAsync(room, count, cancellationToken);

    /// <inheritdoc />
    public void PublishRoomEvent(string room, ReadOnlyMemory<byte> text) => _cluster.Rooms.PublishEvent(room, RoomNode, text);

    /// <inheritdoc />
    public ValueTask<bool> AddRoomMemberAsync(string room, string nickname, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_cluster.Rooms.AddMember(room, nickname));

    /// <inheritdoc />
    public ValueTask<bool> RemoveRoomMemberAsync(string room, string nickname) =>
        ValueTask.FromResult(_cluster.Rooms.RemoveMember(room, nickname));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> GetRoomMembersAsync(string room, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_cluster.Rooms.Members(room));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RoomCount>> GetRoomCountsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(_cluster.Rooms.Counts());
}
