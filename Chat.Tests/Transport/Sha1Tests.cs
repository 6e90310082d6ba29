using System.Security.Cryptography;
using System.Text;
using Fleck.Chat.Transport.Handshake;

namespace Fleck.Chat.Tests.Transport;

/// <summary>The handshake's own SHA-1 against the RFC's example and against the platform's SHA-1.</summary>
public sealed class Sha1Tests
{
    [Test]
    public void The_accept_key_of_the_rfc_example_is_the_one_the_rfc_gives()
    {
        Assert.That(WebSocketAccept.Compute("dGhlIHNhbXBsZSBub25jZQ=="), Is.EqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    }

    [Test]
    public void Every_input_length_across_the_block_boundaries_hashes_as_the_platform_does()
    {
        var random = new Random(6455);
        // 0 to 200 bytes covers one, two and several blocks, and a tail on either side of the 55/56-byte padding split.
        for (var length = 0; length <= 200; length++)
        {
            var input = new byte[length];
            random.NextBytes(input);
            var ours = new byte[Sha1.HashSizeInBytes];
            Sha1.HashData(input, ours);
#pragma warning disable CA5350 // The reference the test compares with.
            Assert.That(ours, Is.EqualTo(SHA1.HashData(input)), $"length {length}");
#pragma warning restore CA5350
        }
        var abc = new byte[Sha1.HashSizeInBytes];
        Sha1.HashData(Encoding.ASCII.GetBytes("abc"), abc);
        Assert.That(Convert.ToHexString(abc), Is.EqualTo("A9993E364706816ABA3E25717850C26C9CD0D89D"));
    }
}
