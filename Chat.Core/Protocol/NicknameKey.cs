using System.Text;

namespace Fleck.Chat.Protocol;

/// <summary>
/// The comparison key of a nickname: NFKC, then case folding, then NFKC again (the shape of Unicode's
/// NFKC_Casefold), so that compatibility forms such as fullwidth ｖｉｃｔｉｍ or ＳＥＲＶＥＲ compare
/// equal to the plain letters they stand for.
/// </summary>
internal static class NicknameKey
{
    public static string Of(string nickname)
    {
        ArgumentNullException.ThrowIfNull(nickname);
        if (Ascii.IsValid(nickname))
        {
            // NFKC leaves ASCII alone, and ASCII folds to its lower case.
            return HasAsciiUpper(nickname) ? nickname.ToLowerInvariant() : nickname;
        }
        var text = Normalize(FoldFullwidth(nickname));
        // The BCL has simple case mappings only. Upper then lower folds the letters that have two
        // lower cases onto one (final sigma, the micro sign after NFKC); ß folds to "ss" as in full
        // case folding, so STRASSE and Straße are one name.
        text = text.ToUpperInvariant().ToLowerInvariant();
        if (text.Contains('ß', StringComparison.Ordinal))
        {
            text = text.Replace("ß", "ss", StringComparison.Ordinal);
        }
        // The emoji and text presentation selectors change a glyph's look, not which name it is.
        if (text.AsSpan().IndexOfAny('\uFE0E', '\uFE0F') >= 0)
        {
            text = text.Replace("\uFE0E", "", StringComparison.Ordinal).Replace("\uFE0F", "", StringComparison.Ordinal);
        }
        return Normalize(text);
    }

    /// <summary>
    /// Fullwidth ASCII (U+FF01–U+FF5E) as the ASCII it stands for. NFKC does the same, but with
    /// invariant globalization (the deployed images run without ICU) normalization leaves non-ASCII
    /// text as it is, and fullwidth letters are the easiest way to pose as another user.
    /// </summary>
    private static string FoldFullwidth(string text)
    {
        if (text.AsSpan().IndexOfAnyInRange('\uFF01', '\uFF5E') < 0)
        {
            return text;
        }
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = c is >= '\uFF01' and <= '\uFF5E' ? (char)(c - 0xFEE0) : c;
            }
        });
    }

    private static string Normalize(string text)
    {
        try
        {
            return text.IsNormalized(NormalizationForm.FormKC) ? text : text.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            // A lone surrogate or a noncharacter: never a valid nickname, so its key only has to be
            // stable; the text as it is serves.
            return text;
        }
    }

    private static bool HasAsciiUpper(string text)
    {
        foreach (var c in text)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                return true;
            }
        }
        return false;
    }
}
