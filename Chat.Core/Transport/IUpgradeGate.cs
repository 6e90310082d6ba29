using Fleck.Chat.Identity;
using Fleck.Chat.Transport.Handshake;

namespace Fleck.Chat.Transport;

/// <summary>
/// A last check of a handler on an upgrade that passed everything else (identity included), which
/// may have to ask something shared and so is asynchronous: the chat's ban list. The transport
/// knows nothing of bans; it only sends the refusal and counts it as <see cref="HandshakeRefusalReason.Banned"/>.
/// </summary>
internal interface IUpgradeGate
{
    /// <summary>Null to let the upgrade go on; otherwise the short text of a 403 answer.</summary>
    ValueTask<string?> RefuseAsync(string path, ChatIdentity? identity, CancellationToken cancellationToken);
}

internal static class UpgradeGate
{
    /// <summary>Asks <paramref name="handler"/>'s gate, if it has one; the refusal to send in place of the 101, or null.</summary>
    public static async ValueTask<HandshakeOutcome?> CheckAsync(IWebSocketHandler handler, string path, ChatIdentity? identity, CancellationToken cancellationToken)
    {
        if (handler is not IUpgradeGate gate || await gate.RefuseAsync(path, identity, cancellationToken).ConfigureAwait(false) is not { } reason)
        {
            return null;
        }
        return new HandshakeOutcome(403, HttpResponse.Error(403, "Forbidden", reason), null, null);
    }
}
