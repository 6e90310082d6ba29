using System.Text;

namespace Fleck.Chat.Redis.Tests.Backplane;

public sealed class DisconnectEnvelopeTests
{
    private static readonly byte[] Origin = Encoding.ASCII.GetBytes("0123456789abcdef");

    [Test]
    public void A_disconnect_carries_origin_sequence_close_code_and_nickname()
    {
        var bytes = Envelope.ForDisconnect(Origin, 7, "小明", 4004);

        Assert.That(Envelope.TryReadHeader(bytes, out var kind, out var origin), Is.True);
        Assert.That(kind, Is.EqualTo(Envelope.Disconnect));
        Assert.That(origin.ToArray(), Is.EqualTo(Origin));
        Assert.That(Envelope.TryReadDisconnect(bytes, out var sequence, out var nickname, out var code), Is.True);
        Assert.That(sequence, Is.EqualTo(7UL));
        Assert.That(nickname, Is.EqualTo("小明"));
        Assert.That(code, Is.EqualTo(4004));
    }

    [TestCase(0)]
    [TestCase(17)]
    [TestCase(27)]
    public void A_truncated_disconnect_is_refused(int length)
    {
        var bytes = Envelope.ForDisconnect(Origin, 1, "alice", 4004).AsSpan(0, length);

        Assert.That(Envelope.TryReadDisconnect(bytes, out _, out _, out _), Is.False);
    }
}
