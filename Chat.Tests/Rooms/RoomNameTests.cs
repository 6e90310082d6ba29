using Fleck.Chat.Protocol;

namespace Fleck.Chat.Tests.Rooms;

public sealed class RoomNameTests
{
    [TestCase("lobby", "lobby")]
    [TestCase("Lobby", "lobby")]
    [TestCase("DEV-ops_2", "dev-ops_2")]
    [TestCase("9lives", "9lives")]
    [TestCase("a", "a")]
    [TestCase("abcdefghijklmnopqrstuvwxyz012345", "abcdefghijklmnopqrstuvwxyz012345")]
    public void Valid_names_are_accepted_with_ascii_letters_lower_cased(string requested, string expected)
    {
        Assert.That(RoomName.TryNormalize(requested, out var room), Is.True);
        Assert.That(room, Is.EqualTo(expected));
    }

    [TestCase("")]
    [TestCase(null)]
    [TestCase("abcdefghijklmnopqrstuvwxyz0123456")]
    [TestCase("_lobby")]
    [TestCase("-lobby")]
    [TestCase("lob by")]
    [TestCase(" lobby")]
    [TestCase("lobby!")]
    [TestCase("café")]
    [TestCase("\u212A")] // Kelvin sign: not an ASCII letter, so never folded to k
    [TestCase("lob/by")]
    public void Names_outside_the_rule_are_refused(string? requested)
    {
        Assert.That(RoomName.TryNormalize(requested, out _), Is.False);
    }
}
