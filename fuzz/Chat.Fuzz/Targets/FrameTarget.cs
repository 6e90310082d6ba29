using System.Buffers.Binary;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Fuzz;

/// <summary>
/// The bytes a client sends after the handshake, through <see cref="IncomingFrameScanner"/>: at
/// once, in small pieces and byte by byte, each compared with a plain whole-buffer reading of the
/// same rules (<see cref="ReferenceScan"/>).
/// </summary>
/// <remarks>
/// Expected: any <see cref="FrameViolation"/>. Unexpected: an exception; a count outside the bytes
/// given; bytes accepted after a violation; a violation, first close length or accepted prefix
/// that depends on how the bytes were split, or differs from the reference.
/// </remarks>
internal static class FrameTarget
{
    /// <summary>The server default, and a small limit that fragment sums and 16-bit lengths cross.</summary>
    private static readonly int[] Limits = [new WebSocketServerOptions().MaxMessageBytes, 300];

    public static void Run(ReadOnlySpan<byte> input)
    {
        foreach (var limit in Limits)
        {
            var expected = ReferenceScan(input, limit);
            var whole = new IncomingFrameScanner(limit);
            var accepted = whole.Scan(input);
            FuzzInvariantException.Check(accepted == expected.Accepted, $"accepted {accepted} bytes at once, the reference {expected.Accepted}");
            Compare(whole, expected, "at once");
            ScanInPieces(input, limit, expected, [1]);
            ScanInPieces(input, limit, expected, [3, 1, 4, 1, 5, 9, 2, 6]);
        }
    }

    private static void ScanInPieces(ReadOnlySpan<byte> input, int limit, Expected expected, int[] sizes)
    {
        var scanner = new IncomingFrameScanner(limit);
        var offset = 0;
        var accepted = 0;
        var failedAt = -1;
        for (var i = 0; offset < input.Length; i++)
        {
            var piece = input.Slice(offset, Math.Min(sizes[i % sizes.Length], input.Length - offset));
            var before = scanner.Violation;
            var n = scanner.Scan(piece);
            FuzzInvariantException.Check(n >= 0 && n <= piece.Length, $"Scan returned {n} for {piece.Length} bytes");
            FuzzInvariantException.Check(before == FrameViolation.None || n == 0, "bytes accepted after a violation");
            FuzzInvariantException.Check(scanner.Violation != FrameViolation.None || n == piece.Length, "bytes held back without a violation");
            if (before == FrameViolation.None && scanner.Violation != FrameViolation.None)
            {
                failedAt = offset + n;
            }
            accepted += n;
            offset += piece.Length;
        }
        Compare(scanner, expected, $"in pieces of {string.Join(",", sizes)}");
        // A piece can only hold back the part of the offending frame that is inside it.
        FuzzInvariantException.Check(accepted >= expected.Accepted, $"accepted {accepted} bytes in pieces, fewer than the {expected.Accepted} before the offending frame");
        FuzzInvariantException.Check(failedAt < 0 || accepted == failedAt, "the accepted count does not end where the violation was reported");
    }

    private static void Compare(IncomingFrameScanner scanner, Expected expected, string how)
    {
        FuzzInvariantException.Check(scanner.Violation == expected.Violation, $"{how}: {scanner.Violation}, the reference {expected.Violation}");
        FuzzInvariantException.Check(scanner.FirstCloseLength == expected.FirstCloseLength, $"{how}: first close length {scanner.FirstCloseLength}, the reference {expected.FirstCloseLength}");
    }

    private readonly record struct Expected(FrameViolation Violation, int Accepted, int? FirstCloseLength);

    /// <summary>The scanner's rules applied frame by frame to the whole buffer (RFC 6455 §5.2, RFC 7692 §6).</summary>
    private static Expected ReferenceScan(ReadOnlySpan<byte> data, long limit)
    {
        var pos = 0;
        long messageBytes = 0;
        var compressed = false;
        int? firstClose = null;
        while (data.Length - pos >= 2)
        {
            var start = pos;
            var first = data[pos];
            var second = data[pos + 1];
            if ((second & 0x80) == 0)
            {
                return new(FrameViolation.Unmasked, start, firstClose);
            }
            var length7 = second & 0x7F;
            var extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
            if (data.Length - pos < 2 + extended + 4)
            {
                break;
            }
            var lengthBytes = data.Slice(pos + 2, extended);
            var length = extended switch
            {
                0 => (ulong)length7,
                2 => BinaryPrimitives.ReadUInt16BigEndian(lengthBytes),
                _ => BinaryPrimitives.ReadUInt64BigEndian(lengthBytes),
            };
            if (length > long.MaxValue)
            {
                return new(FrameViolation.BadLength, start, firstClose);
            }
            var opcode = first & 0x0F;
            if (opcode >= 0x8)
            {
                if ((first & 0x40) != 0)
                {
                    return new(FrameViolation.CompressedControlFrame, start, firstClose);
                }
                if (opcode == 0x8)
                {
                    firstClose ??= (int)Math.Min(length, int.MaxValue);
                }
            }
            else
            {
                if (opcode != 0x0)
                {
                    messageBytes = 0;
                    compressed = (first & 0x40) != 0;
                }
                if (!compressed)
                {
                    if ((ulong)(limit - messageBytes) < length)
                    {
                        return new(FrameViolation.TooBig, start, firstClose);
                    }
                    messageBytes += (long)length;
                }
                if ((first & 0x80) != 0)
                {
                    messageBytes = 0;
                }
            }
            pos += 2 + extended + 4;
            if ((ulong)(data.Length - pos) < length)
            {
                break;
            }
            pos += (int)length;
        }
        return new(FrameViolation.None, data.Length, firstClose);
    }
}
