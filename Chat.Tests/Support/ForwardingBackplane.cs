using System.Net.WebSockets;
using Fleck.Chat.Protocol;
using Fleck.Chat.Scaling;

namespace Fleck.Chat.Tests.Support;

/// <summary>
/// An <see cref="InMemoryBackplane"/> behind a wrapper whose every call a test may override: the
/// base of test backplanes that delay, gate or record one kind of call and pass the rest on.
/// </summary>
internal abstract class ForwardingBackplane : IChatBackplane
{
    protected InMemoryBackplane Inner { get; } = new();

    public virtual Task ConnectAsync(IBackplaneNode node, CancellationToken cancellationToken) => Inner.ConnectAsync(node, cancellationToken);

    public virtual ValueTask<bool> TryClaimNicknameAsync(string nickname, CancellationToken cancellationToken) => Inner.TryClaimNicknameAsync(nickname, cancellationToken);

    public virtual ValueTask ReleaseNicknameAsync(string nickname) => Inner.ReleaseNicknameAsync(nickname);

    public virtual ValueTask<IReadOnlyCollection<string>> GetNicknamesAsync(CancellationToken cancellationToken) => Inner.GetNicknamesAsync(cancellationToken);

    public virtual ValueTask<bool> IsOnlineAsync(string nickname, CancellationToken cancellationToken) => Inner.IsOnlineAsync(nickname, cancellationToken);

    public virtual void PublishToAll(ReadOnlyMemory<byte> payload, WebSocketMessageType type) => Inner.PublishToAll(payload, type);

    public virtual void PublishToMember(string nickname, ReadOnlyMemory<byte> text) => Inner.PublishToMember(nickname, text);

    public virtual void PublishDisconnect(string nickname, int closeCode) => Inner.PublishDisconnect(nickname, closeCode);

    public virtual ValueTask AppendHistoryAsync(ChatHistoryEntry entry, int capacity) => Inner.AppendHistoryAsync(entry, capacity);

    public virtual ValueTask<IReadOnlyList<ChatHistoryEntry>> GetHistoryAsync(int count, CancellationToken cancellationToken) => Inner.GetHistoryAsync(count, cancellationToken);

    public virtual ValueTask DisposeAsync() => Inner.DisposeAsync();
}
