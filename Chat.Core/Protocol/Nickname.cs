using System.Buffers;
using System.Globalization;
using System.Text;

namespace Fleck.Chat.Protocol;

/// <summary>The nickname rules: 1-32 characters after trimming, no control or format characters, "server" reserved.</summary>
public static class Nickname
{
    /// <summary>Longest nickname, in user-perceived characters.</summary>
    public const int MaxLength = 32;

    /// <summary>The name server events are sent under; no member may take it.</summary>
    public const string Server = "server";

    /// <summary>Checks and normalizes a requested nickname (trimmed, Unicode NFC).</summary>
    public static bool TryNormalize(string? requested, out string nickname, out string error)
    {
        nickname = "";
        var trimmed = requested?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            error = "A nickname is required.";
            return false;
        }
        // Checked before normalizing, which throws on a lone surrogate and on U+FFFE (both refused here).
        if (!HasOnlyVisibleCharacters(trimmed))
        {
            error = "A nickname may not contain control or invisible characters.";
            return false;
        }
        if (!trimmed.IsNormalized(NormalizationForm.FormC))
        {
            trimmed = trimmed.Normalize(NormalizationForm.FormC);
        }
        if (new StringInfo(trimmed).LengthInTextElements > MaxLength)
        {
            error = $"A nickname has at most {MaxLength} characters.";
            return false;
        }
        if (trimmed.Equals(Server, StringComparison.OrdinalIgnoreCase))
        {
            error = "The nickname \"server\" is reserved.";
            return false;
        }
        nickname = trimmed;
        error = "";
        return true;
    }

    /// <summary>Nicknames are unique case-insensitively: this is the comparer.</summary>
    public static StringComparer Comparer => StringComparer.OrdinalIgnoreCase;

    private static bool HasOnlyVisibleCharacters(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            // A lone surrogate is not a character at all.
            if (Rune.DecodeFromUtf16(text, out var rune, out var consumed) != OperationStatus.Done)
            {
                return false;
            }
            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned)
            {
                return false;
            }
            text = text[consumed..];
        }
        return true;
    }
}
