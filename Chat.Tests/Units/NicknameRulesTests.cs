using Fleck.Chat.Protocol;

namespace Fleck.Chat.Tests.Units;

/// <summary>What <see cref="Nickname.TryNormalize"/> accepts and refuses: scripts, invisible characters, the reserved name.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class NicknameRulesTests
{
    [TestCase("alice", TestName = "Latin")]
    [TestCase("José María", TestName = "Latin with accents and a space")]
    [TestCase("Дмитрий", TestName = "Cyrillic")]
    [TestCase("Αλέξανδρος", TestName = "Greek")]
    [TestCase("Ἀθηνᾶ", TestName = "Polytonic Greek")]
    [TestCase("山田たろう", TestName = "Han and Hiragana")]
    [TestCase("田中タロウ2024", TestName = "Han, Katakana and digits")]
    [TestCase("Taro山田たろうカタカナ", TestName = "Latin, Han, Hiragana and Katakana")]
    [TestCase("ラーメン", TestName = "Katakana with the common length mark")]
    [TestCase("王小明abc", TestName = "Han and Latin")]
    [TestCase("ㄅㄆ明", TestName = "Bopomofo and Han")]
    [TestCase("김민준kim", TestName = "Hangul and Latin")]
    [TestCase("金민준", TestName = "Han and Hangul")]
    [TestCase("שלום", TestName = "Hebrew")]
    [TestCase("محمد", TestName = "Arabic")]
    [TestCase("अर्जुन", TestName = "Devanagari with its vowel signs")]
    [TestCase("தமிழ்", TestName = "Tamil")]
    [TestCase("สมชาย", TestName = "Thai")]
    [TestCase("გიორგი", TestName = "Georgian")]
    [TestCase("Արամ", TestName = "Armenian")]
    [TestCase("ሰላም", TestName = "Ethiopic")]
    [TestCase("O\u02BCBrien", TestName = "Latin with the modifier letter apostrophe")]
    [TestCase("bob_42!", TestName = "Latin with digits and punctuation")]
    [TestCase("★☆ 123", TestName = "Symbols and digits only")]
    [TestCase("a\u0308b", TestName = "Latin with a combining diaeresis")]
    [TestCase("Zoë\u2764\uFE0F", TestName = "Latin with an emoji and its presentation selector")]
    public void A_name_in_one_script_or_an_allowed_combination_is_accepted(string requested)
    {
        Assert.That(Nickname.TryNormalize(requested, out var nickname, out var error), Is.True, error);
        Assert.That(nickname, Is.Not.Empty);
    }

    [TestCase("\u0455erver", "Cyrillic", "Latin", TestName = "Cyrillic dze in server")]
    [TestCase("vict\u0456m", "Latin", "Cyrillic", TestName = "Cyrillic i in victim")]
    [TestCase("p\u0430ypal", "Latin", "Cyrillic", TestName = "Cyrillic a in paypal")]
    [TestCase("\u03BFscar", "Greek", "Latin", TestName = "Greek omicron in oscar")]
    [TestCase("Ꭺlice", "Cherokee", "Latin", TestName = "Cherokee A in alice")]
    [TestCase("abc\u0915", "Latin", "Devanagari", TestName = "Latin and Devanagari")]
    [TestCase("a\u093Eb", "Latin", "Devanagari", TestName = "A Devanagari vowel sign on a Latin letter")]
    [TestCase("김たろう", "Hangul", "Hiragana", TestName = "Hangul and Hiragana")]
    [TestCase("\uD835\uDC2F\u0456ctim", "Latin", "Cyrillic", TestName = "Mathematical bold v beside Cyrillic i")]
    public void Letters_from_two_scripts_are_refused_and_the_error_names_them(string requested, string first, string second)
    {
        var accepted = Nickname.TryNormalize(requested, out var nickname, out var error);

        Assert.That(accepted, Is.False);
        Assert.That(nickname, Is.Empty);
        Assert.That(error, Does.Contain("mix scripts").And.Contain($"({first} and {second})").And.Contain("use letters from one script"));
    }

    [Test]
    public void Three_scripts_are_listed_in_the_order_they_appear()
    {
        Nickname.TryNormalize("aβд", out _, out var error);

        Assert.That(error, Does.Contain("(Latin, Greek and Cyrillic)"));
    }

    [TestCase("bob\u202Eevil", TestName = "Right-to-left override")]
    [TestCase("\u202Abob", TestName = "Left-to-right embedding")]
    [TestCase("bob\u2066x", TestName = "Left-to-right isolate")]
    [TestCase("bo\u200Bb", TestName = "Zero width space")]
    [TestCase("bo\u200Db", TestName = "Zero width joiner")]
    [TestCase("bob\u200F", TestName = "Right-to-left mark")]
    [TestCase("b\u2060ob", TestName = "Word joiner")]
    [TestCase("b\u2064ob", TestName = "Invisible plus")]
    [TestCase("\uFEFFbob", TestName = "Byte order mark")]
    [TestCase("b\u00ADob", TestName = "Soft hyphen")]
    [TestCase("bo\u034Fb", TestName = "Combining grapheme joiner")]
    [TestCase("\u3164", TestName = "Hangul filler alone")]
    [TestCase("bob\u3164", TestName = "Hangul filler after a name")]
    [TestCase("bob\uFE00", TestName = "A variation selector other than the emoji ones")]
    [TestCase("bob\u001B[31m", TestName = "Escape")]
    [TestCase("b\u0085ob", TestName = "C1 next line")]
    public void Invisible_and_control_characters_are_refused(string requested)
    {
        var accepted = Nickname.TryNormalize(requested, out _, out var error);

        Assert.That(accepted, Is.False);
        Assert.That(error, Does.Contain("control or invisible"));
    }

    [Test]
    public void The_replacement_character_is_refused()
    {
        var accepted = Nickname.TryNormalize("bob\uFFFD", out _, out var error);

        Assert.That(accepted, Is.False);
        Assert.That(error, Does.Contain("U+FFFD"));
    }

    [TestCase("server")]
    [TestCase("Server")]
    [TestCase("  SERVER ")]
    [TestCase("ＳＥＲＶＥＲ")]
    [TestCase("ｓｅｒｖｅｒ")]
    [TestCase("\uD835\uDC2C\uD835\uDC1E\uD835\uDC2B\uD835\uDC2F\uD835\uDC1E\uD835\uDC2B")] // mathematical bold "server"
    public void Every_form_of_server_is_reserved(string requested)
    {
        var accepted = Nickname.TryNormalize(requested, out _, out var error);

        Assert.That(accepted, Is.False);
        Assert.That(error, Does.Contain("reserved"));
    }

    [Test]
    public void Server_with_a_Cyrillic_letter_is_refused_as_mixed()
    {
        Assert.That(Nickname.TryNormalize("\u0455erver", out _, out var error), Is.False);
        Assert.That(error, Does.Contain("Latin and Cyrillic").Or.Contain("Cyrillic and Latin"));
    }

    [Test]
    public void Digits_from_two_number_systems_are_refused()
    {
        Assert.That(Nickname.TryNormalize("bob1\u0661", out _, out var error), Is.False);
        Assert.That(error, Does.Contain("number systems"));
    }

    [Test]
    public void A_letter_of_a_script_the_table_leaves_out_is_refused_with_its_code_point()
    {
        // Gothic, a historic script: not in the table.
        Assert.That(Nickname.TryNormalize("\uD800\uDF30", out _, out var error), Is.False);
        Assert.That(error, Does.Contain("U+10330"));
    }

    [Test]
    public void The_nickname_is_kept_as_typed_not_as_its_key()
    {
        Assert.That(Nickname.TryNormalize("  ｖｉｃｔｉｍ ", out var nickname, out _), Is.True);
        Assert.That(nickname, Is.EqualTo("ｖｉｃｔｉｍ"));
    }
}
