using System.Buffers.Binary;
using System.Text;

namespace Fleck.Chat.Redis;

/// <summary>
/// The wire format of everything the nodes publish to each other. One kind byte, the 16-character
/// origin node id, then:
/// <list type="bullet">
/// <item><c>M</c> (a text message to every member): an 8-byte sequence number, then the message.</item>
/// <item><c>B</c> (a binary message to every member): laid out as <c>M</c>. Binary is a kind of its
/// own rather than a flag inside the message, so text costs no byte more and a node that predates
/// binary ignores it instead of relaying it as text.</item>
/// <item><c>P</c> (to one member, on its node's channel): sequence number, 2-byte length and UTF-8
/// nickname, then the message.</item>
/// <item><c>L</c> (members lost) and <c>R</c> (members returned): nicknames separated by <c>\n</c>,
/// which no nickname can contain. <c>L</c> is also written by the sweep script.</item>
/// <item><c>D</c> (disconnect a user, on the broadcast channel): sequence number, 2-byte close code,
/// then the UTF-8 nickname.</item>
/// <item><c>U</c> (a signal for one user's connections, on the broadcast channel): laid out as <c>P</c>.</item>
/// </list>
/// The sequence number (per origin, across both channels) lets a receiver drop a message it has
/// already seen, whatever a reconnect replays. Big-endian, as is usual on the wire.
/// </summary>
internal static class Envelope
{
    public const byte ToAll = (byte)'M';
    public const byte BinaryToAll = (byte)'B';
    public const byte ToMember = (byte)'P';
    public const byte Lost = (byte)'L';
    public const byte Returned = (byte)'R';
    public const byte Disconnect = (byte)'D';
    public const byte UserSignal = (byte)'U';

    public const int NodeIdLength = 16;
    private const int SequenceOffset = 1 + NodeIdLength;
    private const int HeaderLength = SequenceOffset + sizeof(ulong);

    /// <summary>A message on the broadcast channel: <paramref name="kind"/> is <see cref="ToAll"/> for text, <see cref="BinaryToAll"/> for binary.</summary>
    public static byte[] ForAll(byte kind, ReadOnlySpan<byte> originId, ulong sequence, ReadOnlySpan<byte> payload)
    {
        var buffer = new byte[HeaderLength + payload.Length];
        WriteHeader(buffer, kind, originId, sequence);
        payload.CopyTo(buffer.AsSpan(HeaderLength));
        return buffer;
    }

    public static byte[] ForMember(ReadOnlySpan<byte> originId, ulong sequence, string nickname, ReadOnlySpan<byte> text)
    {
        var nameLength = Encoding.UTF8.GetByteCount(nickname);
        var buffer = new byte[HeaderLength + sizeof(ushort) + nameLength + text.Length];
        WriteHeader(buffer, ToMember, originId, sequence);
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(HeaderLength), (ushort)nameLength);
        Encoding.UTF8.GetBytes(nickname, buffer.AsSpan(HeaderLength + sizeof(ushort)));
        text.CopyTo(buffer.AsSpan(HeaderLength + sizeof(ushort) + nameLength));
        return buffer;
    }

    public static byte[] ForUserSignal(ReadOnlySpan<byte> originId, ulong sequence, string nickname, ReadOnlySpan<byte> text)
    {
        var buffer = ForMember(originId, sequence, nickname, text);
        buffer[0] = UserSignal;
        return buffer;
    }

    public static byte[] ForDisconnect(ReadOnlySpan<byte> originId, ulong sequence, string nickname, int closeCode)
    {
        var buffer = new byte[HeaderLength + sizeof(ushort) + Encoding.UTF8.GetByteCount(nickname)];
        WriteHeader(buffer, Disconnect, originId, sequence);
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(HeaderLength), checked((ushort)closeCode));
        Encoding.UTF8.GetBytes(nickname, buffer.AsSpan(HeaderLength + sizeof(ushort)));
        return buffer;
    }

    public static bool TryReadDisconnect(ReadOnlySpan<byte> message, out ulong sequence, out string nickname, out int closeCode)
    {
        sequence = 0;
        nickname = "";
        closeCode = 0;
        if (message.Length <= HeaderLength + sizeof(ushort))
        {
            return false;
        }
        sequence = BinaryPrimitives.ReadUInt64BigEndian(message[SequenceOffset..]);
        closeCode = BinaryPrimitives.ReadUInt16BigEndian(message[HeaderLength..]);
        nickname = Encoding.UTF8.GetString(message[(HeaderLength + sizeof(ushort))..]);
        return true;
    }

    /// <summary>The start of an L or R message; the names follow.</summary>
    public static byte[] NamesHeader(byte kind, ReadOnlySpan<byte> originId)
    {
        var header = new byte[1 + NodeIdLength];
        header[0] = kind;
        originId.CopyTo(header.AsSpan(1));
        return header;
    }

    public static byte[] ForNames(byte kind, ReadOnlySpan<byte> originId, IEnumerable<string> nicknames)
    {
        var names = Encoding.UTF8.GetBytes(string.Join('\n', nicknames));
        var buffer = new byte[1 + NodeIdLength + names.Length];
        buffer[0] = kind;
        originId.CopyTo(buffer.AsSpan(1));
        names.CopyTo(buffer.AsSpan(1 + NodeIdLength));
        return buffer;
    }

    /// <summary>Reads the common header; false for anything too short to be ours.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> message, out byte kind, out ReadOnlySpan<byte> originId)
    {
        if (message.Length < 1 + NodeIdLength)
        {
            kind = 0;
            originId = default;
            return false;
        }
        kind = message[0];
        originId = message.Slice(1, NodeIdLength);
        return true;
    }

    public static bool TryReadForAll(ReadOnlyMemory<byte> message, out ulong sequence, out ReadOnlyMemory<byte> text)
    {
        if (message.Length < HeaderLength)
        {
            sequence = 0;
            text = default;
            return false;
        }
        sequence = BinaryPrimitives.ReadUInt64BigEndian(message.Span[SequenceOffset..]);
        text = message[HeaderLength..];
        return true;
    }

    public static bool TryReadForMember(ReadOnlyMemory<byte> message, out ulong sequence, out string nickname, out ReadOnlyMemory<byte> text)
    {
        sequence = 0;
        nickname = "";
        text = default;
        if (message.Length < HeaderLength + sizeof(ushort))
        {
            return false;
        }
        var nameLength = BinaryPrimitives.ReadUInt16BigEndian(message.Span[HeaderLength..]);
        var nameStart = HeaderLength + sizeof(ushort);
        if (message.Length < nameStart + nameLength)
        {
            return false;
        }
        sequence = BinaryPrimitives.ReadUInt64BigEndian(message.Span[SequenceOffset..]);
        nickname = Encoding.UTF8.GetString(message.Span.Slice(nameStart, nameLength));
        text = message[(nameStart + nameLength)..];
        return true;
    }

    public static string[] ReadNames(ReadOnlySpan<byte> message) =>
        message.Length <= 1 + NodeIdLength
            ? []
            : Encoding.UTF8.GetString(message[(1 + NodeIdLength)..]).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static void WriteHeader(Span<byte> buffer, byte kind, ReadOnlySpan<byte> originId, ulong sequence)
    {
        buffer[0] = kind;
        originId.CopyTo(buffer[1..]);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[SequenceOffset..], sequence);
    }
}
