using System.Net.WebSockets;
using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;

namespace Fleck.Chat.Tests.Support;

/// <summary>
/// An <see cref="InMemoryBackplane"/> behind a wrapper whose every call a test may override: the
/// base of test backplanes that delay, gate or record one kind of call and pass the rest on. The
/// numbered streams (rooms, and the chat of nick-broadcast) pass through it too.
/// </summary>
internal abstract class ForwardingBackplane : IChatBackplane, IPresence, INodeBus, IStreamLog
{
    protected InMemoryBackplane Inner { get; } = new();

    public IPresence Presence => this;

    public INodeBus Bus => this;

    public IStreamLog? Streams => this;

    public virtual Task ConnectAsync(IBackplaneNode node, CancellationToken cancellationToken) => Inner.ConnectAsync(node, cancellationToken);

    public virtual ValueTask<bool> TryClaimNicknameAsync(string nickname, CancellationToken cancellationToken) => Inner.Presence.TryClaimNicknameAsync(nickname, cancellationToken);

    public virtual ValueTask ReleaseNicknameAsync(string nickname) => Inner.Presence.ReleaseNicknameAsync(nickname);

    public virtual ValueTask<SharedClaimResult> TryClaimSharedNicknameAsync(string nickname, CancellationToken cancellationToken) =>
        Inner.Presence.TryClaimSharedNicknameAsync(nickname, cancellationToken);

    public virtual ValueTask<bool> ReleaseSharedNicknameAsync(string nickname) => Inner.Presence.ReleaseSharedNicknameAsync(nickname);

    public virtual ValueTask<IReadOnlyCollection<string>> GetNicknamesAsync(CancellationToken cancellationToken) => Inner.Presence.GetNicknamesAsync(cancellationToken);

    public virtual ValueTask<bool> IsOnlineAsync(string nickname, CancellationToken cancellationToken) => Inner.Presence.IsOnlineAsync(nickname, cancellationToken);

    public virtual void PublishToAll(ReadOnlyMemory<byte> payload, WebSocketMessageType type) => Inner.Bus.PublishToAll(payload, type);

    public virtual void PublishToMember(string nickname, ReadOnlyMemory<byte> text) => Inner.Bus.PublishToMember(nickname, text);

    public virtual void PublishDisconnect(string nickname, int closeCode) => Inner.Bus.PublishDisconnect(nickname, closeCode);

    public virtual ValueTask DisposeAsync() => Inner.DisposeAsync();

    public virtual ValueTask SubscribeRoomAsync(string room, CancellationToken cancellationToken) => Inner.Bus.SubscribeRoomAsync(room, cancellationToken);

    public virtual ValueTask UnsubscribeRoomAsync(string room) => Inner.Bus.UnsubscribeRoomAsync(room);

    public virtual ValueTask<RoomEntry> AppendAsync(string room, string name, string msg, long ts, int capacity, CancellationToken cancellationToken) =>
        Inner.Streams.AppendAsync(room, name, msg, ts, capacity, cancellationToken);

    public virtual ValueTask<RoomStreamState> ReadAsync(string room, int count, CancellationToken cancellationToken) => Inner.Streams.ReadAsync(room, count, cancellationToken);

    public virtual void PublishRoomEvent(string room, ReadOnlyMemory<byte> text) => Inner.Bus.PublishRoomEvent(room, text);

    public virtual ValueTask<bool> AddRoomMemberAsync(string room, string nickname, CancellationToken cancellationToken) => Inner.Presence.AddRoomMemberAsync(room, nickname, cancellationToken);

    public virtual ValueTask<bool> RemoveRoomMemberAsync(string room, string nickname) => Inner.Presence.RemoveRoomMemberAsync(room, nickname);

    public virtual ValueTask<IReadOnlyList<string>> GetRoomMembersAsync(string room, CancellationToken cancellationToken) => Inner.Presence.GetRoomMembersAsync(room, cancellationToken);

    public virtual ValueTask<IReadOnlyList<RoomCount>> GetRoomCountsAsync(CancellationToken cancellationToken) => Inner.Presence.GetRoomCountsAsync(cancellationToken);
}
