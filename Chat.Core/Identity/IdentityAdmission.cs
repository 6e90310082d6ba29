using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;

namespace Fleck.Chat.Identity;

/// <summary>
/// What the chat requires of an authenticated connection before it is upgraded: the identity's name
/// must be a valid nickname, and a nickname in the path must be that name (compared case-insensitively).
/// </summary>
internal static class IdentityAdmission
{
    public static AuthenticationResult Admit(IChatMode mode, string path, ChatIdentity identity)
    {
        if (!Nickname.TryNormalize(identity.Name, out var name, out _))
        {
            return AuthenticationResult.Forbidden("Your account's name cannot be used as a nickname.");
        }
        if (mode is NicknameChatMode && NicknameChatMode.NicknameFromPath(path) is { } requested
            && !(Nickname.TryNormalize(requested, out var normalized, out _) && Nickname.Comparer.Equals(normalized, name)))
        {
            return AuthenticationResult.Forbidden("The nickname in the address is not yours.");
        }
        return AuthenticationResult.Success(identity with { Name = name });
    }
}
