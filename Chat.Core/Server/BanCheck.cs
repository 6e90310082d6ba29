using Fleck.Chat.Identity;
using Fleck.Chat.Modes;
using Fleck.Chat.Scaling;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Server;

/// <summary>
/// Keeps banned users out: at the upgrade (with identity the token's name, else a nickname in the
/// path) and at a login by first message, the one sign-in the upgrade cannot see.
/// </summary>
internal sealed class BanCheck(IBanList bans, IChatMode mode, ILogger logger)
{
    public const string Refusal = "You are banned from this chat for now.";

    /// <summary>The 403 text for a banned user's upgrade, or null.</summary>
    public async ValueTask<string?> RefuseAsync(string path, ChatIdentity? identity, CancellationToken cancellationToken)
    {
        var user = identity?.Name ?? (mode is NicknameChatMode ? NicknameChatMode.NicknameFromPath(path) : null);
        return user is not null && await IsBannedAsync(user, cancellationToken).ConfigureAwait(false) ? Refusal : null;
    }

    public async ValueTask<bool> IsBannedAsync(string user, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(user))
        {
            return false;
        }
        try
        {
            return await bans.IsBannedAsync(user.Trim(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Open rather than shut: while the shared list is unreachable, so are the nickname claims,
            // and keeping everyone out of a healthy node would turn a Redis hiccup into an outage.
            logger.LogWarning("The ban list cannot be read; letting {User} in unchecked: {Error}", user, ex.GetType().Name);
            return false;
        }
    }
}
