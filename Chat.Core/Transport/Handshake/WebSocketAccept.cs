using System.Text;

namespace Fleck.Chat.Transport.Handshake;

/// <summary>The Sec-WebSocket-Key / Sec-WebSocket-Accept exchange of RFC 6455 §4.2.2.</summary>
internal static class WebSocketAccept
{
    private const string Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>A valid key is the base64 encoding of exactly 16 bytes (RFC 6455 §4.1).</summary>
    public static bool IsValidKey(string? key)
    {
        if (key is null || key.Length != 24)
        {
            return false;
        }
        Span<byte> decoded = stackalloc byte[18];
        return Convert.TryFromBase64String(key, decoded, out var written) && written == 16;
    }

    public static string Compute(string key)
    {
        Span<byte> input = stackalloc byte[key.Length + Guid.Length];
        Encoding.ASCII.GetBytes(key, input);
        Encoding.ASCII.GetBytes(Guid, input[key.Length..]);
        Span<byte> hash = stackalloc byte[Sha1.HashSizeInBytes];
        // SHA-1 is what the RFC prescribes here; it is a fingerprint, not a security measure.
        Sha1.HashData(input, hash);
        return Convert.ToBase64String(hash);
    }
}
