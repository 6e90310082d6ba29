using System.Globalization;
using System.Text;
using Fleck.Chat.Protocol;

namespace Fleck.Chat.Fuzz;

/// <summary>What <see cref="Nickname.TryNormalize"/> promises for any string: no exception, and a nickname that keeps its rules.</summary>
internal static class NicknameCheck
{
    public static void Verify(string? requested)
    {
        if (!Nickname.TryNormalize(requested, out var nickname, out var error))
        {
            FuzzInvariantException.Check(nickname.Length == 0 && error.Length > 0, "a refusal without a reason, or with a nickname");
            return;
        }
        FuzzInvariantException.Check(error.Length == 0, "an accepted nickname with an error");
        FuzzInvariantException.Check(nickname.Length > 0 && nickname == nickname.Trim(), "an empty or untrimmed nickname");
        FuzzInvariantException.Check(nickname.IsNormalized(NormalizationForm.FormC), "a nickname not in NFC");
        FuzzInvariantException.Check(new StringInfo(nickname).LengthInTextElements <= Nickname.MaxLength, "a nickname over the length limit");
        FuzzInvariantException.Check(Nickname.Key(nickname) != Nickname.Server, "the reserved nickname accepted");
        FuzzInvariantException.Check(!nickname.Any(char.IsControl), "a nickname with a control character");
        FuzzInvariantException.Check(
            Nickname.TryNormalize(nickname, out var again, out _) && again == nickname,
            "normalizing an accepted nickname again changes or refuses it");
    }
}
