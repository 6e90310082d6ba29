using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;

namespace Fleck.Chat.Diagnostics;

/// <summary>
/// The streams' side of <see cref="MeteredBackplane"/>: passes every call of the numbered streams
/// (nick-broadcast's chat and the rooms) to the real backplane and reports to the chat's meter how
/// long each message took to be numbered, kept and published, and which calls found the backplane
/// unavailable.
/// </summary>
internal sealed class MeteredRoomBackplane(IRoomBackplane inner, ChatMetrics metrics) : IRoomBackplane
{
    public void AttachRooms(IRoomStreamNode node) => inner.AttachRooms(node);

    public void LimitStreams(StreamLimits limits) => inner.LimitStreams(limits);

    public ValueTask<bool> TryOpenRoomAsync(string room, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.TryOpenRoomAsync(room, cancellationToken), metrics, "open");

    public ValueTask SubscribeRoomAsync(string room, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.SubscribeRoomAsync(room, cancellationToken), metrics, "subscribe");

    public ValueTask UnsubscribeRoomAsync(string room) =>
        MeteredCall.CountingFailureAsync(inner.UnsubscribeRoomAsync(room), metrics, "unsubscribe");

    public async ValueTask<RoomEntry> AppendRoomMessageAsync(string room, string name, string msg, long ts, int capacity, CancellationToken cancellationToken)
    {
        var start = metrics.PublishStarting();
        var entry = await MeteredCall.CountingFailureAsync(inner.AppendRoomMessageAsync(room, name, msg, ts, capacity, cancellationToken), metrics, "append")
            .ConfigureAwait(false);
        metrics.BackplanePublished(start);
        return entry;
    }

    public ValueTask<RoomStreamState> ReadRoomAsync(string room, int count, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.ReadRoomAsync(room, count, cancellationToken), metrics, "read");

    public void PublishRoomEvent(string room, ReadOnlyMemory<byte> text)
    {
        var start = metrics.PublishStarting();
        inner.PublishRoomEvent(room, text);
        metrics.BackplanePublished(start);
    }

    public ValueTask<bool> AddRoomMemberAsync(string room, string nickname, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.AddRoomMemberAsync(room, nickname, cancellationToken), metrics, "room_presence");

    public ValueTask<bool> RemoveRoomMemberAsync(string room, string nickname) =>
        MeteredCall.CountingFailureAsync(inner.RemoveRoomMemberAsync(room, nickname), metrics, "room_presence");

    public ValueTask<IReadOnlyList<string>> GetRoomMembersAsync(string room, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.GetRoomMembersAsync(room, cancellationToken), metrics, "room_members");

    public ValueTask<IReadOnlyList<RoomCount>> GetRoomCountsAsync(CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.GetRoomCountsAsync(cancellationToken), metrics, "room_list");
}
