using System.Buffers.Text;

namespace Fleck.Chat.Bench;

/// <summary>
/// The text every test message carries: <c>sender:seq:timestamp:</c> padded to the requested size.
/// In nick-broadcast mode it travels inside the server's JSON event as <c>msg</c>.
/// </summary>
internal static class Payload
{
    public static int Write(Span<byte> destination, int sender, long seq, long timestamp, int size)
    {
        var used = 0;
        Utf8Formatter.TryFormat(sender, destination, out var n);
        used += n;
        destination[used++] = (byte)':';
        Utf8Formatter.TryFormat(seq, destination[used..], out n);
        used += n;
        destination[used++] = (byte)':';
        Utf8Formatter.TryFormat(timestamp, destination[used..], out n);
        used += n;
        destination[used++] = (byte)':';
        while (used < size)
        {
            destination[used++] = (byte)'x';
        }
        return used;
    }

    /// <summary>Finds and parses the fields; false for frames that are not test messages (presence events and the like).</summary>
    public static bool TryRead(ReadOnlySpan<byte> frame, bool json, out int sender, out long seq, out long timestamp)
    {
        if (json && !frame.StartsWith("{\"type\":\"message\""u8))
        {
            sender = 0;
            seq = 0;
            timestamp = 0;
            return false;
        }
        return json ? TryReadMsg(frame, out sender, out seq, out timestamp) : TryReadText(frame, out sender, out seq, out timestamp);
    }

    /// <summary>Reads the fields from the <c>msg</c> of a JSON event of any type.</summary>
    public static bool TryReadMsg(ReadOnlySpan<byte> frame, out int sender, out long seq, out long timestamp)
    {
        var at = frame.IndexOf("\"msg\":\""u8);
        if (at < 0)
        {
            sender = 0;
            seq = 0;
            timestamp = 0;
            return false;
        }
        return TryReadText(frame[(at + 7)..], out sender, out seq, out timestamp);
    }

    private static bool TryReadText(ReadOnlySpan<byte> frame, out int sender, out long seq, out long timestamp)
    {
        sender = 0;
        seq = 0;
        timestamp = 0;
        if (!Utf8Parser.TryParse(frame, out sender, out var n) || n >= frame.Length || frame[n] != ':')
        {
            return false;
        }
        frame = frame[(n + 1)..];
        if (!Utf8Parser.TryParse(frame, out seq, out n) || n >= frame.Length || frame[n] != ':')
        {
            return false;
        }
        frame = frame[(n + 1)..];
        return Utf8Parser.TryParse(frame, out timestamp, out _);
    }
}
