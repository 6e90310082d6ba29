using System.Globalization;
using System.Text;

namespace Fleck.Chat.Host.Logging;

/// <summary>
/// Makes text safe for one log line. Control characters (C0, DEL, C1), line and paragraph
/// separators and Unicode format characters (zero-width characters, bidi embeddings, overrides and
/// isolates) are written as escapes — <c>\r</c>, <c>\n</c>, <c>\t</c>, else <c>\u001b</c> — so a value
/// can neither start a forged line, recolour the terminal, nor reorder what is shown around it.
/// Lone surrogates are escaped the same way. Long text is cut, saying how much was left out.
/// </summary>
internal static class LogText
{
    /// <summary>Longest value taken from a message's arguments, in UTF-16 code units before escaping.</summary>
    public const int MaxValueLength = 256;

    /// <summary>Longest message or exception text, in UTF-16 code units before escaping.</summary>
    public const int MaxTextLength = 4096;

    /// <summary>Appends <paramref name="text"/> escaped and cut at <paramref name="maxLength"/>.</summary>
    public static void Append(StringBuilder line, ReadOnlySpan<char> text, int maxLength)
    {
        var cut = CutPoint(text, maxLength);
        AppendEscaped(line, text[..cut]);
        if (cut < text.Length)
        {
            line.Append(CultureInfo.InvariantCulture, $"…({text.Length - cut} more)");
        }
    }

    /// <summary>Whether <paramref name="c"/> is written as an escape.</summary>
    public static bool NeedsEscape(char c) =>
        c < 0x20 || c is >= '\u007F' and <= '\u009F' || char.IsSurrogate(c)
        || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    private static void AppendEscaped(StringBuilder line, ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            var plain = 0;
            while (plain < text.Length && !NeedsEscape(text[plain]))
            {
                plain++;
            }
            line.Append(text[..plain]);
            text = text[plain..];
            if (text.IsEmpty)
            {
                break;
            }
            // A well-formed surrogate pair is a character like any other, unless it is a format character (the tag characters).
            if (char.IsHighSurrogate(text[0]) && text.Length > 1 && char.IsLowSurrogate(text[1]))
            {
                var rune = new Rune(text[0], text[1]);
                if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format)
                {
                    line.Append(CultureInfo.InvariantCulture, $"\\U{rune.Value:x8}");
                }
                else
                {
                    line.Append(text[..2]);
                }
                text = text[2..];
                continue;
            }
            line.Append(text[0] switch
            {
                '\r' => "\\r",
                '\n' => "\\n",
                '\t' => "\\t",
                var c => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
            });
            text = text[1..];
        }
    }

    /// <summary>Where to cut so at most <paramref name="maxLength"/> code units stay, never between the halves of a surrogate pair.</summary>
    private static int CutPoint(ReadOnlySpan<char> text, int maxLength)
    {
        if (text.Length <= maxLength)
        {
            return text.Length;
        }
        return maxLength > 0 && char.IsHighSurrogate(text[maxLength - 1]) && char.IsLowSurrogate(text[maxLength]) ? maxLength - 1 : maxLength;
    }
}
