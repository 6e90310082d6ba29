using System.Buffers;
using System.Globalization;
using System.Text;
using Fleck.Chat.Protocol.Scripts;

namespace Fleck.Chat.Protocol;

/// <summary>
/// The nickname rules: 1-32 characters after trimming; no control, format (invisible, bidi) or
/// replacement characters; letters from one script, or from one of the sets a language writes
/// together (see <see cref="ScriptMix"/>); "server" reserved. Names are compared on
/// <see cref="Key"/>, so two names that differ only in case or in compatibility forms (fullwidth
/// letters, ligatures) are the same name.
/// </summary>
public static class Nickname
{
    /// <summary>Longest nickname, in user-perceived characters.</summary>
    public const int MaxLength = 32;

    /// <summary>The name server events are sent under; no member may take it.</summary>
    public const string Server = "server";

    /// <summary>Checks and normalizes a requested nickname (trimmed, Unicode NFC; shown as typed otherwise).</summary>
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
        // U+FFFD stands for text that was lost in decoding: a name holding it is not what its owner typed.
        if (trimmed.Contains('\uFFFD', StringComparison.Ordinal))
        {
            error = "A nickname may not contain the replacement character U+FFFD.";
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
        // Scripts are judged on the compatibility form, where e.g. mathematical bold letters are the
        // Latin or Greek letters they look like.
        if (ScriptMix.FindProblem(trimmed.Normalize(NormalizationForm.FormKC)) is { } problem)
        {
            error = problem;
            return false;
        }
        if (Key(trimmed) == Server)
        {
            error = "The nickname \"server\" is reserved.";
            return false;
        }
        nickname = trimmed;
        error = "";
        return true;
    }

    /// <summary>
    /// The key nicknames are compared on: NFKC, case folded. Two nicknames are the same name when
    /// their keys are equal; every registry of names (local and on a backplane) uses this key.
    /// </summary>
    public static string Key(string nickname) => NicknameKey.Of(nickname);

    /// <summary>Nicknames are unique by <see cref="Key"/>: this is the comparer.</summary>
    public static StringComparer Comparer => NicknameComparer.Instance;

    private static bool HasOnlyVisibleCharacters(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            // A lone surrogate is not a character at all.
            if (Rune.DecodeFromUtf16(text, out var rune, out var consumed) != OperationStatus.Done)
            {
                return false;
            }
            // Format covers the zero-width characters (U+200B-200F, U+2060-2064, U+FEFF) and the bidi
            // embeddings, overrides and isolates (U+202A-202E, U+2066-2069).
            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
                || IsBlankLetterOrIgnorableMark(rune.Value))
            {
                return false;
            }
            text = text[consumed..];
        }
        return true;
    }

    /// <summary>
    /// Default-ignorable characters that are not of category Format: the Hangul fillers (letters
    /// that draw nothing), the combining grapheme joiner, Khmer inherent vowels, Mongolian and
    /// ideographic variation selectors, and the variation selectors other than the emoji and text
    /// presentation ones (U+FE0E, U+FE0F: allowed, and left out of <see cref="Key"/>).
    /// </summary>
    private static bool IsBlankLetterOrIgnorableMark(int c) =>
        c is 0x034F or 0x115F or 0x1160 or 0x3164 or 0xFFA0
        || c is >= 0x17B4 and <= 0x17B5
        || c is >= 0x180B and <= 0x180F
        || c is >= 0xFE00 and <= 0xFE0D
        || c is >= 0xE0100 and <= 0xE01EF;
}
