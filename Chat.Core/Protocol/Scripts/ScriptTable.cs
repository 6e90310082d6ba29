namespace Fleck.Chat.Protocol.Scripts;

/// <summary>
/// Which script a letter belongs to, for the scripts people write names in. The BCL has no Unicode
/// Script property, so this is a table of code point ranges (mostly whole Unicode blocks, split
/// where a block holds letters of several scripts), written from the Unicode block and script
/// charts. Only letters and marks are looked up here: digits, punctuation, symbols and spaces are
/// told apart by their general category instead. Historic scripts are left out on purpose, so a
/// letter from one of them is refused rather than guessed at.
/// </summary>
internal static class ScriptTable
{
    /// <summary>Every range, sorted by <see cref="ScriptRange.First"/> and never overlapping (a unit test keeps it so).</summary>
    public static ReadOnlySpan<ScriptRange> All => Ranges;

    private static readonly ScriptRange[] Ranges =
    [
        new(0x0041, 0x005A, WritingScript.Latin),
        new(0x0061, 0x007A, WritingScript.Latin),
        new(0x00AA, 0x00AA, WritingScript.Latin),
        new(0x00BA, 0x00BA, WritingScript.Latin),
        new(0x00C0, 0x00D6, WritingScript.Latin),
        new(0x00D8, 0x00F6, WritingScript.Latin),
        new(0x00F8, 0x02B8, WritingScript.Latin),
        new(0x02B9, 0x02DF, WritingScript.Common),
        new(0x02E0, 0x02E4, WritingScript.Latin),
        new(0x02E5, 0x02E9, WritingScript.Common),
        new(0x02EA, 0x02EB, WritingScript.Bopomofo),
        new(0x02EC, 0x02FF, WritingScript.Common),
        // U+0300-036F, combining diacritical marks: not listed, so a mark there takes the script of its letter.
        new(0x0370, 0x0373, WritingScript.Greek),
        new(0x0375, 0x0377, WritingScript.Greek),
        new(0x037A, 0x037F, WritingScript.Greek),
        new(0x0384, 0x03E1, WritingScript.Greek),
        new(0x03E2, 0x03EF, WritingScript.Coptic),
        new(0x03F0, 0x03FF, WritingScript.Greek),
        new(0x0400, 0x052F, WritingScript.Cyrillic),
        new(0x0531, 0x058F, WritingScript.Armenian),
        new(0x0591, 0x05FF, WritingScript.Hebrew),
        new(0x0600, 0x06FF, WritingScript.Arabic),
        new(0x0700, 0x074F, WritingScript.Syriac),
        new(0x0750, 0x077F, WritingScript.Arabic),
        new(0x0780, 0x07BF, WritingScript.Thaana),
        new(0x07C0, 0x07FF, WritingScript.NKo),
        new(0x0800, 0x083F, WritingScript.Samaritan),
        new(0x0840, 0x085F, WritingScript.Mandaic),
        new(0x0860, 0x086F, WritingScript.Syriac),
        new(0x0870, 0x08FF, WritingScript.Arabic),
        new(0x0900, 0x097F, WritingScript.Devanagari),
        new(0x0980, 0x09FF, WritingScript.Bengali),
        new(0x0A00, 0x0A7F, WritingScript.Gurmukhi),
        new(0x0A80, 0x0AFF, WritingScript.Gujarati),
        new(0x0B00, 0x0B7F, WritingScript.Oriya),
        new(0x0B80, 0x0BFF, WritingScript.Tamil),
        new(0x0C00, 0x0C7F, WritingScript.Telugu),
        new(0x0C80, 0x0CFF, WritingScript.Kannada),
        new(0x0D00, 0x0D7F, WritingScript.Malayalam),
        new(0x0D80, 0x0DFF, WritingScript.Sinhala),
        new(0x0E00, 0x0E7F, WritingScript.Thai),
        new(0x0E80, 0x0EFF, WritingScript.Lao),
        new(0x0F00, 0x0FFF, WritingScript.Tibetan),
        new(0x1000, 0x109F, WritingScript.Myanmar),
        new(0x10A0, 0x10FF, WritingScript.Georgian),
        new(0x1100, 0x11FF, WritingScript.Hangul),
        new(0x1200, 0x139F, WritingScript.Ethiopic),
        new(0x13A0, 0x13FF, WritingScript.Cherokee),
        new(0x1400, 0x167F, WritingScript.CanadianAboriginal),
        new(0x1680, 0x169F, WritingScript.Ogham),
        new(0x16A0, 0x16FF, WritingScript.Runic),
        new(0x1700, 0x171F, WritingScript.Tagalog),
        new(0x1720, 0x173F, WritingScript.Hanunoo),
        new(0x1740, 0x175F, WritingScript.Buhid),
        new(0x1760, 0x177F, WritingScript.Tagbanwa),
        new(0x1780, 0x17FF, WritingScript.Khmer),
        new(0x1800, 0x18AF, WritingScript.Mongolian),
        new(0x18B0, 0x18FF, WritingScript.CanadianAboriginal),
        new(0x1900, 0x194F, WritingScript.Limbu),
        new(0x1950, 0x197F, WritingScript.TaiLe),
        new(0x1980, 0x19DF, WritingScript.NewTaiLue),
        new(0x19E0, 0x19FF, WritingScript.Khmer),
        new(0x1A00, 0x1A1F, WritingScript.Buginese),
        new(0x1A20, 0x1AAF, WritingScript.TaiTham),
        // U+1AB0-1AFF, combining diacritical marks extended: inherited.
        new(0x1B00, 0x1B7F, WritingScript.Balinese),
        new(0x1B80, 0x1BBF, WritingScript.Sundanese),
        new(0x1BC0, 0x1BFF, WritingScript.Batak),
        new(0x1C00, 0x1C4F, WritingScript.Lepcha),
        new(0x1C50, 0x1C7F, WritingScript.OlChiki),
        new(0x1C80, 0x1C8F, WritingScript.Cyrillic),
        new(0x1C90, 0x1CBF, WritingScript.Georgian),
        new(0x1CC0, 0x1CCF, WritingScript.Sundanese),
        // Vedic extensions: marks and signs shared by the Indic scripts.
        new(0x1CD0, 0x1CFF, WritingScript.Common),
        new(0x1D00, 0x1D25, WritingScript.Latin),
        new(0x1D26, 0x1D2A, WritingScript.Greek),
        new(0x1D2B, 0x1D2B, WritingScript.Cyrillic),
        new(0x1D2C, 0x1D5C, WritingScript.Latin),
        new(0x1D5D, 0x1D61, WritingScript.Greek),
        new(0x1D62, 0x1D65, WritingScript.Latin),
        new(0x1D66, 0x1D6A, WritingScript.Greek),
        new(0x1D6B, 0x1D77, WritingScript.Latin),
        new(0x1D78, 0x1D78, WritingScript.Cyrillic),
        new(0x1D79, 0x1DBE, WritingScript.Latin),
        new(0x1DBF, 0x1DBF, WritingScript.Greek),
        // U+1DC0-1DFF, combining diacritical marks supplement: inherited.
        new(0x1E00, 0x1EFF, WritingScript.Latin),
        new(0x1F00, 0x1FFF, WritingScript.Greek),
        new(0x2071, 0x2071, WritingScript.Latin),
        new(0x207F, 0x207F, WritingScript.Latin),
        new(0x2090, 0x209C, WritingScript.Latin),
        new(0x2126, 0x2126, WritingScript.Greek),
        new(0x212A, 0x212B, WritingScript.Latin),
        new(0x2132, 0x2132, WritingScript.Latin),
        new(0x214E, 0x214E, WritingScript.Latin),
        new(0x2160, 0x2188, WritingScript.Latin),
        new(0x2C60, 0x2C7F, WritingScript.Latin),
        new(0x2C80, 0x2CFF, WritingScript.Coptic),
        new(0x2D00, 0x2D2F, WritingScript.Georgian),
        new(0x2D30, 0x2D7F, WritingScript.Tifinagh),
        new(0x2D80, 0x2DDF, WritingScript.Ethiopic),
        new(0x2DE0, 0x2DFF, WritingScript.Cyrillic),
        new(0x3005, 0x3005, WritingScript.Han),
        new(0x3006, 0x3006, WritingScript.Common),
        new(0x3007, 0x3007, WritingScript.Han),
        new(0x3021, 0x3029, WritingScript.Han),
        new(0x3031, 0x3035, WritingScript.Common),
        new(0x3038, 0x303B, WritingScript.Han),
        new(0x303C, 0x303C, WritingScript.Common),
        new(0x3041, 0x3096, WritingScript.Hiragana),
        // U+3099-309A, the combining voiced sound marks: inherited.
        new(0x309D, 0x309F, WritingScript.Hiragana),
        new(0x30A1, 0x30FA, WritingScript.Katakana),
        // The length mark U+30FC is written with both kana.
        new(0x30FC, 0x30FC, WritingScript.Common),
        new(0x30FD, 0x30FF, WritingScript.Katakana),
        new(0x3105, 0x312F, WritingScript.Bopomofo),
        new(0x3131, 0x318F, WritingScript.Hangul),
        new(0x31A0, 0x31BF, WritingScript.Bopomofo),
        new(0x31F0, 0x31FF, WritingScript.Katakana),
        new(0x3400, 0x4DBF, WritingScript.Han),
        new(0x4E00, 0x9FFF, WritingScript.Han),
        new(0xA000, 0xA4CF, WritingScript.Yi),
        new(0xA4D0, 0xA4FF, WritingScript.Lisu),
        new(0xA500, 0xA63F, WritingScript.Vai),
        new(0xA640, 0xA69F, WritingScript.Cyrillic),
        new(0xA6A0, 0xA6FF, WritingScript.Bamum),
        new(0xA700, 0xA721, WritingScript.Common),
        new(0xA722, 0xA787, WritingScript.Latin),
        new(0xA788, 0xA78A, WritingScript.Common),
        new(0xA78B, 0xA7FF, WritingScript.Latin),
        new(0xA800, 0xA82F, WritingScript.SylotiNagri),
        new(0xA840, 0xA87F, WritingScript.PhagsPa),
        new(0xA880, 0xA8DF, WritingScript.Saurashtra),
        new(0xA8E0, 0xA8FF, WritingScript.Devanagari),
        new(0xA900, 0xA92F, WritingScript.KayahLi),
        new(0xA930, 0xA95F, WritingScript.Rejang),
        new(0xA960, 0xA97F, WritingScript.Hangul),
        new(0xA980, 0xA9DF, WritingScript.Javanese),
        new(0xA9E0, 0xA9FF, WritingScript.Myanmar),
        new(0xAA00, 0xAA5F, WritingScript.Cham),
        new(0xAA60, 0xAA7F, WritingScript.Myanmar),
        new(0xAA80, 0xAADF, WritingScript.TaiViet),
        new(0xAAE0, 0xAAFF, WritingScript.MeeteiMayek),
        new(0xAB00, 0xAB2F, WritingScript.Ethiopic),
        new(0xAB30, 0xAB5A, WritingScript.Latin),
        new(0xAB5B, 0xAB5B, WritingScript.Common),
        new(0xAB5C, 0xAB64, WritingScript.Latin),
        new(0xAB65, 0xAB65, WritingScript.Greek),
        new(0xAB66, 0xAB69, WritingScript.Latin),
        new(0xAB6A, 0xAB6B, WritingScript.Common),
        new(0xAB70, 0xABBF, WritingScript.Cherokee),
        new(0xABC0, 0xABFF, WritingScript.MeeteiMayek),
        new(0xAC00, 0xD7FF, WritingScript.Hangul),
        new(0xF900, 0xFAFF, WritingScript.Han),
        new(0xFB00, 0xFB06, WritingScript.Latin),
        new(0xFB13, 0xFB17, WritingScript.Armenian),
        new(0xFB1D, 0xFB4F, WritingScript.Hebrew),
        new(0xFB50, 0xFDFF, WritingScript.Arabic),
        // U+FE20-FE2D, combining half marks: inherited.
        new(0xFE2E, 0xFE2F, WritingScript.Cyrillic),
        new(0xFE70, 0xFEFE, WritingScript.Arabic),
        new(0xFF21, 0xFF3A, WritingScript.Latin),
        new(0xFF41, 0xFF5A, WritingScript.Latin),
        new(0xFF66, 0xFF6F, WritingScript.Katakana),
        new(0xFF70, 0xFF70, WritingScript.Common),
        new(0xFF71, 0xFF9D, WritingScript.Katakana),
        new(0xFF9E, 0xFF9F, WritingScript.Common),
        new(0xFFA0, 0xFFDC, WritingScript.Hangul),
        new(0x10400, 0x1044F, WritingScript.Deseret),
        new(0x104B0, 0x104FF, WritingScript.Osage),
        new(0x10780, 0x107BF, WritingScript.Latin),
        new(0x10D00, 0x10D3F, WritingScript.HanifiRohingya),
        new(0x11660, 0x1167F, WritingScript.Mongolian),
        new(0x118A0, 0x118FF, WritingScript.WarangCiti),
        new(0x11AB0, 0x11ABF, WritingScript.CanadianAboriginal),
        new(0x11FB0, 0x11FBF, WritingScript.Lisu),
        new(0x16800, 0x16A3F, WritingScript.Bamum),
        new(0x16B00, 0x16B8F, WritingScript.PahawhHmong),
        new(0x16E40, 0x16E9F, WritingScript.Medefaidrin),
        new(0x1AFF0, 0x1B000, WritingScript.Katakana),
        new(0x1B001, 0x1B11F, WritingScript.Hiragana),
        new(0x1B120, 0x1B122, WritingScript.Katakana),
        new(0x1B132, 0x1B132, WritingScript.Hiragana),
        new(0x1B150, 0x1B152, WritingScript.Hiragana),
        new(0x1B155, 0x1B155, WritingScript.Katakana),
        new(0x1B164, 0x1B167, WritingScript.Katakana),
        new(0x1DF00, 0x1DFFF, WritingScript.Latin),
        new(0x1E030, 0x1E08F, WritingScript.Cyrillic),
        new(0x1E100, 0x1E14F, WritingScript.NyiakengPuachueHmong),
        new(0x1E2C0, 0x1E2FF, WritingScript.Wancho),
        new(0x1E7E0, 0x1E7FF, WritingScript.Ethiopic),
        new(0x1E900, 0x1E95F, WritingScript.Adlam),
        new(0x1EE00, 0x1EEFF, WritingScript.Arabic),
        new(0x20000, 0x2A6DF, WritingScript.Han),
        new(0x2A700, 0x2EE5F, WritingScript.Han),
        new(0x2F800, 0x2FA1F, WritingScript.Han),
        new(0x30000, 0x323AF, WritingScript.Han),
    ];

    /// <summary>The script of a letter or mark at <paramref name="codePoint"/>; null when the table does not list it.</summary>
    public static WritingScript? Find(int codePoint)
    {
        var ranges = Ranges.AsSpan();
        int low = 0, high = ranges.Length - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var range = ranges[middle];
            if (codePoint < range.First)
            {
                high = middle - 1;
            }
            else if (codePoint > range.Last)
            {
                low = middle + 1;
            }
            else
            {
                return range.Script;
            }
        }
        return null;
    }
}
