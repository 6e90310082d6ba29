using System.Net.WebSockets;
using Fleck.Chat.Protocol;
using Fleck.Chat.Scaling;

namespace Fleck.Chat.Tests.Modes.Support;

/// <summary>
/// The in-memory backplane with a history that answers the way a remote store does: appends take
/// about a millisecond (a round trip), reads complete on another thread after the caller moved on.
/// </summary>
internal sealed class AsynchronousHistoryBackplane : IChatBackplane
{
    private readonly InMemoryBackplane _inner = new();

    public Task ConnectAsync(IBackplaneNode node, CancellationToken cancellationToken) => _inner.ConnectAsync(node, cancellationToken);

    public ValueTask<bool> TryClaimNicknameAsync(string nickname, CancellationToken cancellationToken) => _inner.TryClaimNicknameAsync(nickname, cancellationToken);

    public ValueTask ReleaseNicknameAsync(string nickname) => _inner.ReleaseNicknameAsync(nickname);

    public ValueTask<IReadOnlyCollection<string>> GetNicknamesAsync(CancellationToken cancellationToken) => _inner.GetNicknamesAsync(cancellationToken);

    public ValueTask<bool> IsOnlineAsync(string nickname, CancellationToken cancellationToken) => _inner.IsOnlineAsync(nickname, cancellationToken);

    public void PublishToAll(ReadOnlyMemory<byte> payload, WebSocketMessageType type) => _inner.PublishToAll(payload, type);

    public void PublishToMember(string nickname, ReadOnlyMemory<byte> text) => _inner.PublishToMember(nickname, text);
    public void PublishDisconnect(string nickname, int closeCode) => _inner.PublishDisconnect(nickname, closeCode);

    public async ValueTask AppendHistoryAsync(ChatHistoryEntry entry, int capacity)
    {
        await Task.Delay(1);
        await _inner.AppendHistoryAsync(entry, capacity);
    }

    public async ValueTask<IReadOnlyList<ChatHistoryEntry>> GetHistoryAsync(int count, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return await _inner.GetHistoryAsync(count, cancellationToken);
    }

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
