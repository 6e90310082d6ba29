using System.Buffers.Binary;
using System.Text;

namespace Fleck.Chat.Transport;

/// <summary>
/// Encodes frames the way a server sends them (RFC 6455 §5.2): FIN set, no mask, payload length in
/// the shortest of the three forms. Each message is one complete frame, so every recipient can be
/// given the very same bytes.
/// </summary>
internal static class ServerFrame
{
    public const byte OpText = 0x1;
    public const byte OpBinary = 0x2;
    public const byte OpClose = 0x8;
    public const byte OpPing = 0x9;
    public const byte OpPong = 0xA;

    /// <summary>Control frames carry at most 125 payload bytes (RFC 6455 §5.5).</summary>
    public const int MaxControlPayload = 125;

    public static int HeaderLength(int payloadLength) => payloadLength switch
    {
        <= 125 => 2,
        <= ushort.MaxValue => 4,
        _ => 10,
    };

    public static byte[] Create(byte opcode, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[HeaderLength(payload.Length) + payload.Length];
        var header = WriteHeader(frame, opcode, payload.Length);
        payload.CopyTo(frame.AsSpan(header));
        return frame;
    }

    public static byte[] CreateText(string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        var frame = new byte[HeaderLength(length) + length];
        var header = WriteHeader(frame, OpText, length);
        Encoding.UTF8.GetBytes(text, frame.AsSpan(header));
        return frame;
    }

    /// <summary>A close frame: two-byte status code, then a UTF-8 reason cut to fit 125 bytes on a character boundary.</summary>
    public static byte[] CreateClose(int code, string? reason)
    {
        Span<byte> payload = stackalloc byte[MaxControlPayload];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        var used = 2;
        if (!string.IsNullOrEmpty(reason))
        {
            Encoding.UTF8.GetEncoder().Convert(reason, payload[2..], flush: true, out _, out var written, out _);
            used += written;
        }
        return Create(OpClose, payload[..used]);
    }

    public static int WriteHeader(Span<byte> destination, byte opcode, int payloadLength)
    {
        destination[0] = (byte)(0x80 | opcode);
        switch (payloadLength)
        {
            case <= 125:
                destination[1] = (byte)payloadLength;
                return 2;
            case <= ushort.MaxValue:
                destination[1] = 126;
                BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
                return 4;
            default:
                destination[1] = 127;
                BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
                return 10;
        }
    }
}
