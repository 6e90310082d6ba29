using System.Globalization;
using System.Text;

namespace Fleck.Chat.Protocol.Scripts;

/// <summary>
/// The mixed-script rule for nicknames, after UTS #39's "Highly Restrictive" level: all letters
/// from one script, or from one of the sets a language writes together (Japanese: Latin, Han,
/// Hiragana, Katakana; Chinese: Latin, Han, Bopomofo; Korean: Latin, Han, Hangul). Digits,
/// punctuation, symbols and spaces belong to every script; a combining mark outside any script's
/// range belongs to the letter it sits on. Digits must come from one number system, so that e.g.
/// Arabic-Indic ١ cannot stand in for 1 or l.
/// </summary>
internal static class ScriptMix
{
    private static readonly WritingScript[][] AllowedSets =
    [
        [WritingScript.Latin, WritingScript.Han, WritingScript.Hiragana, WritingScript.Katakana],
        [WritingScript.Latin, WritingScript.Han, WritingScript.Bopomofo],
        [WritingScript.Latin, WritingScript.Han, WritingScript.Hangul],
    ];

    /// <summary>Why <paramref name="text"/> (a valid, NFKC-normalized string) breaks the rule; null when it keeps it.</summary>
    public static string? FindProblem(string text)
    {
        var scripts = new List<WritingScript>(2);
        var digitZero = -1;
        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category == UnicodeCategory.DecimalDigitNumber)
            {
                // Decimal digits come in runs of ten: the run's zero names the number system.
                var zero = rune.Value - (int)Rune.GetNumericValue(rune);
                if (digitZero >= 0 && zero != digitZero)
                {
                    return "A nickname may not mix digits from different number systems.";
                }
                digitZero = zero;
                continue;
            }
            var isMark = category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;
            var isLetter = category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.LetterNumber;
            if (!isMark && !isLetter)
            {
                continue;
            }
            var script = ScriptTable.Find(rune.Value);
            if (script is null)
            {
                if (isMark)
                {
                    continue;
                }
                return string.Create(CultureInfo.InvariantCulture,
                    $"A nickname may not contain {rune} (U+{rune.Value:X4}): its script is not one this server accepts in names.");
            }
            if (script != WritingScript.Common && !scripts.Contains(script.Value))
            {
                scripts.Add(script.Value);
            }
        }
        if (scripts.Count > 1 && !AllowedSets.Any(set => scripts.All(set.Contains)))
        {
            return $"A nickname may not mix scripts ({Describe(scripts)}): use letters from one script.";
        }
        return null;
    }

    /// <summary>"Latin and Cyrillic", "Latin, Greek and Cyrillic".</summary>
    private static string Describe(List<WritingScript> scripts)
    {
        var names = scripts.Select(DisplayName).ToList();
        return names.Count == 1 ? names[0] : string.Join(", ", names[..^1]) + " and " + names[^1];
    }

    /// <summary>The enum name with spaces between its words: CanadianAboriginal is "Canadian Aboriginal".</summary>
    internal static string DisplayName(WritingScript script)
    {
        var name = script.ToString();
        var text = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && char.IsLower(name[i - 1]))
            {
                text.Append(' ');
            }
            text.Append(name[i]);
        }
        return text.ToString();
    }
}
