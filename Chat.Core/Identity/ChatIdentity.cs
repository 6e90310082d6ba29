using System.Security.Claims;

namespace Fleck.Chat.Identity;

/// <summary>
/// Who a connection belongs to, as an <see cref="IConnectionAuthenticator"/> established it during
/// the upgrade. In the nickname modes <see cref="Name"/> is the member's nickname; several
/// connections with the same name are one user (tabs, devices).
/// </summary>
/// <param name="Name">The user's name; the chat applies its nickname rules to it (an invalid one is refused with 403).</param>
/// <param name="Claims">Whatever else the authenticator learned (roles, ids); empty when it has nothing to add.</param>
/// <param name="ExpiresAt">When the identity stops being valid: the server closes the connection with 4401 then. Null never expires.</param>
public sealed record ChatIdentity(string Name, IReadOnlyList<Claim> Claims, DateTimeOffset? ExpiresAt)
{
    /// <summary>An identity with a name only, that never expires.</summary>
    public ChatIdentity(string name) : this(name, [], null)
    {
    }

    /// <summary>Close code sent when <see cref="ExpiresAt"/> passes while the connection is open.</summary>
    public const int CloseExpired = 4401;
}
