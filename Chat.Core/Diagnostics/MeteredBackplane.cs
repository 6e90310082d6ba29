using System.Net.WebSockets;
using Fleck.Chat.Scaling;

namespace Fleck.Chat.Diagnostics;

/// <summary>
/// Passes every call to the real backplane and reports to the chat's meter how long each publish
/// took to hand over and which calls found the backplane unavailable. Every member of the
/// interface is forwarded explicitly, defaults included, so the real backplane's own versions run.
/// The streams' side is <see cref="MeteredRoomBackplane"/>'s.
/// </summary>
internal sealed class MeteredBackplane(IChatBackplane inner, ChatMetrics metrics) : IChatBackplane
{
    public Task ConnectAsync(IBackplaneNode node, CancellationToken cancellationToken) => inner.ConnectAsync(node, cancellationToken);

    public ValueTask<bool> TryClaimNicknameAsync(string nickname, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.TryClaimNicknameAsync(nickname, cancellationToken), metrics, "claim");

    public ValueTask ReleaseNicknameAsync(string nickname) => inner.ReleaseNicknameAsync(nickname);

    public ValueTask<IReadOnlyCollection<string>> GetNicknamesAsync(CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.GetNicknamesAsync(cancellationToken), metrics, "nicknames");

    public ValueTask<bool> IsOnlineAsync(string nickname, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.IsOnlineAsync(nickname, cancellationToken), metrics, "presence");

    public ValueTask<SharedClaimResult> TryClaimSharedNicknameAsync(string nickname, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.TryClaimSharedNicknameAsync(nickname, cancellationToken), metrics, "claim");

    public ValueTask<bool> ReleaseSharedNicknameAsync(string nickname) => inner.ReleaseSharedNicknameAsync(nickname);

    public void PublishToAll(ReadOnlyMemory<byte> payload, WebSocketMessageType type)
    {
        var start = metrics.PublishStarting();
        inner.PublishToAll(payload, type);
        metrics.BackplanePublished(start);
    }

    public void PublishDisconnect(string nickname, int closeCode) => inner.PublishDisconnect(nickname, closeCode);

    public void PublishToMember(string nickname, ReadOnlyMemory<byte> text)
    {
        var start = metrics.PublishStarting();
        inner.PublishToMember(nickname, text);
        metrics.BackplanePublished(start);
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
