using System.Net.WebSockets;
using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;

namespace Fleck.Chat.Tests.Support;

/// <summary>
/// An <see cref="InMemoryBackplane"/> behind a wrapper whose every call a test may override: the
/// base of test backplanes that delay, gate or record one kind of call and pass the rest on. The
/// numbered streams (rooms, and the chat of nick-broadcast) pass through it too.
/// </summary>
internal abstract class ForwardingBackplane : IChatBackplane, IRoomBackplane
{
    protected InMemoryBackplane Inner { get; } = new();

    public virtual Task ConnectAsync(IBackplaneNode node, CancellationToken cancellationToken) => Inner.ConnectAsync(node, cancellationToken);

    public virtual ValueTask<bool> TryClaimNicknameAsync(string nickname, CancellationToken cancellationToken) => Inner.TryClaimNicknameAsync(nickname, cancellationToken);

    public virtual ValueTask ReleaseNicknameAsync(string nickname) => Inner.ReleaseNicknameAsync(nickname);

    public virtual ValueTask<SharedClaimResult> TryClaimSharedNicknameAsync(string nickname, CancellationToken cancellationToken) =>
        Inner.TryClaimSharedNicknameAsync(nickname, cancellationToken);

    public virtual ValueTask<bool> ReleaseSharedNicknameAsync(string nickname) => Inner.ReleaseSharedNicknameAsync(nickname);

    public virtual ValueTask<IReadOnlyCollection<string>> GetNicknamesAsync(CancellationToken cancellationToken) => Inner.GetNicknamesAsync(cancellationToken);

    public virtual ValueTask<bool> IsOnlineAsync(string nickname, CancellationToken cancellationToken) => Inner.IsOnlineAsync(nickname, cancellationToken);

    public virtual void PublishToAll(ReadOnlyMemory<byte> payload, WebSocketMessageType type) => Inner.PublishToAll(payload, type);

    public virtual void PublishToMember(string nickname, ReadOnlyMemory<byte> text) => Inner.PublishToMember(nickname, text);

    public virtual void PublishDisconnect(string nickname, int closeCode) => Inner.PublishDisconnect(nickname, closeCode);

    public virtual ValueTask DisposeAsync() => Inner.DisposeAsync();

    public virtual void AttachRooms(IRoomStreamNode node) => Inner.AttachRooms(node);

    public virtual ValueTask SubscribeRoomAsync(string room, CancellationToken cancellationToken) => Inner.SubscribeRoomAsync(room, cancellationToken);

    public virtual ValueTask UnsubscribeRoomAsync(string room) => Inner.UnsubscribeRoomAsync(room);

    public virtual ValueTask<RoomEntry> AppendRoomMessageAsync(string room, string name, string msg, long ts, int capacity, CancellationToken cancellationToken) =>
        Inner.AppendRoomMessageAsync(room, name, msg, ts, capacity, cancellationToken);

    public virtual ValueTask<RoomStreamState> ReadRoomAsync(string room, int count, CancellationToken cancellationToken) => Inner.ReadRoomAsync(room, count, cancellationToken);

    public virtual void PublishRoomEvent(string room, ReadOnlyMemory<byte> text) => Inner.PublishRoomEvent(room, text);

    public virtual ValueTask<bool> AddRoomMemberAsync(string room, string nickname, CancellationToken cancellationToken) => Inner.AddRoomMemberAsync(room, nickname, cancellationToken);

    public virtual ValueTask<bool> RemoveRoomMemberAsync(string room, string nickname) => Inner.RemoveRoomMemberAsync(room, nickname);

    public virtual ValueTask<IReadOnlyList<string>> GetRoomMembersAsync(string room, CancellationToken cancellationToken) => Inner.GetRoomMembersAsync(room, cancellationToken);

    public virtual ValueTask<IReadOnlyList<RoomCount>> GetRoomCountsAsync(CancellationToken cancellationToken) => Inner.GetRoomCountsAsync(cancellationToken);
}
