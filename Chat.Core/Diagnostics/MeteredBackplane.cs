using System.Diagnostics;
using System.Net.WebSockets;
using Fleck.Chat.Scaling;

namespace Fleck.Chat.Diagnostics;

/// <summary>
/// Passes every call to the real backplane and reports to the chat's meter how long each publish
/// took to hand over and which calls found the backplane unavailable. Every member of the
/// interface is forwarded explicitly, defaults included, so the real backplane's own versions run.
/// </summary>
internal sealed class MeteredBackplane(IChatBackplane inner, ChatMetrics metrics) : IChatBackplane
{
    public Task ConnectAsync(IBackplaneNode node, CancellationToken cancellationToken) => inner.ConnectAsync(node, cancellationToken);

    public async ValueTask<bool> TryClaimNicknameAsync(string nickname, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.TryClaimNicknameAsync(nickname, cancellationToken).ConfigureAwait(false);
        }
        catch (BackplaneUnavailableException)
        {
            metrics.BackplaneError("claim");
            throw;
        }
    }

    public ValueTask ReleaseNicknameAsync(string nickname) => inner.ReleaseNicknameAsync(nickname);

    public async ValueTask<IReadOnlyCollection<string>> GetNicknamesAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await inner.GetNicknamesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (BackplaneUnavailableException)
        {
            metrics.BackplaneError("nicknames");
            throw;
        }
    }

    public async ValueTask<bool> IsOnlineAsync(string nickname, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.IsOnlineAsync(nickname, cancellationToken).ConfigureAwait(false);
        }
        catch (BackplaneUnavailableException)
        {
            metrics.BackplaneError("presence");
            throw;
        }
    }

    public async ValueTask<SharedClaimResult> TryClaimSharedNicknameAsync(string nickname, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.TryClaimSharedNicknameAsync(nickname, cancellationToken).ConfigureAwait(false);
        }
        catch (BackplaneUnavailableException)
        {
            metrics.BackplaneError("claim");
            throw;
        }
    }

    public ValueTask<bool> ReleaseSharedNicknameAsync(string nickname) => inner.ReleaseSharedNicknameAsync(nickname);

    public void PublishToAll(ReadOnlyMemory<byte> payload, WebSocketMessageType type)
    {
        if (!metrics.MeasuresPublish)
        {
            inner.PublishToAll(payload, type);
            return;
        }
        var start = Stopwatch.GetTimestamp();
        inner.PublishToAll(payload, type);
        metrics.BackplanePublished(start);
    }

    public void PublishDisconnect(string nickname, int closeCode) => inner.PublishDisconnect(nickname, closeCode);

    public void PublishToMember(string nickname, ReadOnlyMemory<byte> text)
    {
        if (!metrics.MeasuresPublish)
        {
            inner.PublishToMember(nickname, text);
            return;
        }
        var start = Stopwatch.GetTimestamp();
        inner.PublishToMember(nickname, text);
        metrics.BackplanePublished(start);
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
