using Fleck.Chat.Protocol;
using Fleck.Chat.Protocol.Scripts;

namespace Fleck.Chat.Tests.Units;

/// <summary>The comparison key of nicknames and the comparer built on it: which names are the same name.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class NicknameKeyTests
{
    [TestCase("victim", "ｖｉｃｔｉｍ", TestName = "Fullwidth letters")]
    [TestCase("victim", "VICTIM", TestName = "ASCII case")]
    [TestCase("victim", "ＶＩＣＴＩＭ", TestName = "Fullwidth capitals")]
    [TestCase("Ärger", "äRGER", TestName = "Latin case with an umlaut")]
    [TestCase("Ärger", "A\u0308rger", TestName = "Composed and decomposed umlaut")]
    [TestCase("\u00B5", "\u039C", TestName = "Micro sign and Greek capital mu")]
    [TestCase("ΟΔΥΣΣΕΥΣ", "οδυσσευς", TestName = "Greek final sigma")]
    [TestCase("Straße", "STRASSE", TestName = "Sharp s")]
    [TestCase("office", "o\uFB03ce", TestName = "The ffi ligature")]
    [TestCase("bob1", "bob\uFF11", TestName = "Fullwidth digit")]
    [TestCase("Zoë\u2764", "zoë\u2764\uFE0F", TestName = "Emoji presentation selector")]
    public void Names_that_differ_only_in_case_or_compatibility_form_share_a_key(string a, string b)
    {
        Assert.That(Nickname.Key(a), Is.EqualTo(Nickname.Key(b)));
        Assert.That(Nickname.Comparer.Equals(a, b), Is.True);
        Assert.That(Nickname.Comparer.GetHashCode(a), Is.EqualTo(Nickname.Comparer.GetHashCode(b)));
        Assert.That(Nickname.Comparer.Compare(a, b), Is.Zero);
    }

    [TestCase("victim", "vict\u0456m", TestName = "Latin and Cyrillic i")]
    [TestCase("alice", "alice2", TestName = "Different names")]
    [TestCase("i", "\u0131", TestName = "Dotted and dotless i")]
    public void Different_names_have_different_keys(string a, string b)
    {
        Assert.That(Nickname.Key(a), Is.Not.EqualTo(Nickname.Key(b)));
        Assert.That(Nickname.Comparer.Equals(a, b), Is.False);
        Assert.That(Nickname.Comparer.Compare(a, b), Is.Not.Zero);
    }

    [Test]
    public void A_dictionary_keyed_by_the_comparer_finds_a_fullwidth_name_under_its_plain_spelling()
    {
        var members = new Dictionary<string, int>(Nickname.Comparer) { ["victim"] = 1 };

        Assert.That(members.ContainsKey("ｖｉｃｔｉｍ"), Is.True);
        Assert.That(members.TryAdd("VICTIM", 2), Is.False);
    }

    [Test]
    public void An_ascii_key_is_the_lower_case_name() =>
        Assert.That(Nickname.Key("Bob_42"), Is.EqualTo("bob_42"));

    [Test]
    public void A_key_of_an_unnormalizable_string_is_built_without_throwing() =>
        Assert.That(() => Nickname.Key("a" + (char)0xD800), Throws.Nothing);

    [Test]
    public void The_script_table_is_sorted_and_never_overlaps()
    {
        var ranges = ScriptTable.All.ToArray();
        for (var i = 0; i < ranges.Length; i++)
        {
            Assert.That(ranges[i].First, Is.LessThanOrEqualTo(ranges[i].Last), ranges[i].ToString());
            if (i > 0)
            {
                Assert.That(ranges[i].First, Is.GreaterThan(ranges[i - 1].Last), ranges[i].ToString());
            }
        }
    }

    [TestCase(0x0061, "Latin")]
    [TestCase(0x0455, "Cyrillic")]
    [TestCase(0x03B1, "Greek")]
    [TestCase(0x5C71, "Han")]
    [TestCase(0x304B, "Hiragana")]
    [TestCase(0x30AB, "Katakana")]
    [TestCase(0xD55C, "Hangul")]
    [TestCase(0xFF56, "Latin")]
    [TestCase(0x20B9F, "Han")]
    public void The_script_table_places_letters(int codePoint, string script) =>
        Assert.That(ScriptTable.Find(codePoint)?.ToString(), Is.EqualTo(script));

    [TestCase(0x0301)]
    [TestCase(0x10330)]
    public void Combining_diacritics_and_historic_scripts_are_not_in_the_table(int codePoint) =>
        Assert.That(ScriptTable.Find(codePoint), Is.Null);
}
