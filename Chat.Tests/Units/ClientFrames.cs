using System.Buffers.Binary;

namespace Fleck.Chat.Tests.Units;

/// <summary>
/// Client frame headers built byte by byte for the frame scanner, which looks at headers only:
/// payloads are zeros and the mask key is fixed.
/// </summary>
internal static class ClientFrames
{
    public const int Text = 0x1;
    public const int Binary = 0x2;
    public const int Continuation = 0x0;
    public const int Close = 0x8;
    public const int Ping = 0x9;
    public const int Pong = 0xA;

    /// <summary>RSV1 in the <c>rsv</c> argument: the "compressed" bit of permessage-deflate.</summary>
    public const int Rsv1 = 0b100;

    private static readonly byte[] MaskKey = [0x37, 0xFA, 0x21, 0x3D];

    /// <summary>
    /// A frame of <paramref name="length"/> payload bytes. <paramref name="lengthForm"/> (7, 16 or 64 bits)
    /// defaults to the shortest that fits; a longer one is legal for the scanner, which leaves that rule to the BCL.
    /// </summary>
    public static byte[] Frame(int opcode, int length, bool fin = true, int rsv = 0, bool masked = true, int? lengthForm = null) =>
        [.. Header(opcode, (ulong)length, fin, rsv, masked, lengthForm ?? ShortestForm(length)), .. new byte[length]];

    /// <summary>Only the header, declaring <paramref name="length"/> bytes in the 64-bit form: for lengths no test could send.</summary>
    public static byte[] HeaderDeclaring(int opcode, ulong length, bool fin = true) => Header(opcode, length, fin, 0, true, 64);

    /// <summary>How many bytes the header of <paramref name="frame"/> takes, mask key included.</summary>
    public static int HeaderLength(ReadOnlySpan<byte> frame)
    {
        var length7 = frame[1] & 0x7F;
        var masked = (frame[1] & 0x80) != 0;
        return 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + (masked ? 4 : 0);
    }

    public static int ShortestForm(int length) => length <= 125 ? 7 : length <= 0xFFFF ? 16 : 64;

    private static byte[] Header(int opcode, ulong length, bool fin, int rsv, bool masked, int form)
    {
        var header = new List<byte> { (byte)((fin ? 0x80 : 0) | (rsv << 4) | opcode) };
        var maskBit = masked ? 0x80 : 0;
        Span<byte> extended = stackalloc byte[8];
        switch (form)
        {
            case 7:
                header.Add((byte)(maskBit | (int)length));
                break;
            case 16:
                header.Add((byte)(maskBit | 126));
                BinaryPrimitives.WriteUInt16BigEndian(extended, (ushort)length);
                header.AddRange(extended[..2]);
                break;
            default:
                header.Add((byte)(maskBit | 127));
                BinaryPrimitives.WriteUInt64BigEndian(extended, length);
                header.AddRange(extended);
                break;
        }
        if (masked)
        {
            header.AddRange(MaskKey);
        }
        return [.. header];
    }
}
