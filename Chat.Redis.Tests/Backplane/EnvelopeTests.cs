using System.Text;

namespace Fleck.Chat.Redis.Tests.Backplane;

public sealed class EnvelopeTests
{
    private static readonly byte[] Origin = Encoding.ASCII.GetBytes("0123456789abcdef");

    [Test]
    public void A_message_for_all_carries_origin_sequence_and_text()
    {
        var bytes = Envelope.ForAll(Envelope.ToAll, Origin, 42, "{\"msg\":\"héllo\"}"u8);

        Assert.That(Envelope.TryReadHeader(bytes, out var kind, out var origin), Is.True);
        Assert.That(kind, Is.EqualTo(Envelope.ToAll));
        Assert.That(origin.ToArray(), Is.EqualTo(Origin));
        Assert.That(Envelope.TryReadForAll(bytes, out var sequence, out var text), Is.True);
        Assert.That(sequence, Is.EqualTo(42UL));
        Assert.That(Encoding.UTF8.GetString(text.Span), Is.EqualTo("{\"msg\":\"héllo\"}"));
    }

    [Test]
    public void A_binary_message_for_all_is_its_own_kind_and_keeps_its_bytes()
    {
        byte[] data = [0x00, 0xFF, 0xC3, 0x28, 0x0A];

        var bytes = Envelope.ForAll(Envelope.BinaryToAll, Origin, 7, data);

        Assert.That(Envelope.TryReadHeader(bytes, out var kind, out _), Is.True);
        Assert.That(kind, Is.EqualTo(Envelope.BinaryToAll));
        Assert.That(Envelope.TryReadForAll(bytes, out var sequence, out var payload), Is.True);
        Assert.That(sequence, Is.EqualTo(7UL));
        Assert.That(payload.ToArray(), Is.EqualTo(data));
        Assert.That(bytes, Has.Length.EqualTo(Envelope.ForAll(Envelope.ToAll, Origin, 7, data).Length), "binary costs no byte more than text");
    }

    [Test]
    public void A_message_for_a_member_carries_its_nickname()
    {
        var bytes = Envelope.ForMember(Origin, ulong.MaxValue, "小明", "hi"u8);

        Assert.That(Envelope.TryReadForMember(bytes, out var sequence, out var nickname, out var text), Is.True);
        Assert.That(sequence, Is.EqualTo(ulong.MaxValue));
        Assert.That(nickname, Is.EqualTo("小明"));
        Assert.That(Encoding.UTF8.GetString(text.Span), Is.EqualTo("hi"));
    }

    [Test]
    public void Names_round_trip_and_an_empty_list_reads_as_empty()
    {
        var bytes = Envelope.ForNames(Envelope.Lost, Origin, ["alice", "Bob", "小明"]);

        Assert.That(Envelope.ReadNames(bytes), Is.EqualTo(new[] { "alice", "Bob", "小明" }));
        Assert.That(Envelope.ReadNames(Envelope.NamesHeader(Envelope.Lost, Origin)), Is.Empty);
    }

    [TestCase(0)]
    [TestCase(10)]
    [TestCase(20)]
    public void Truncated_messages_are_refused(int length)
    {
        var bytes = Envelope.ForMember(Origin, 1, "alice", "hi"u8).AsMemory(0, length);

        Assert.That(Envelope.TryReadForMember(bytes, out _, out _, out _), Is.False);
        Assert.That(Envelope.TryReadForAll(bytes[..Math.Min(length, 24)], out _, out _), Is.False);
    }
}
