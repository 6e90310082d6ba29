using System.Text;

namespace Fleck.Chat.Transport;

/// <summary>
/// A message encoded once as a complete WebSocket frame, ready to be queued to any number of
/// connections. Sending the same instance to many recipients shares one buffer: nothing is
/// serialized, framed or copied per recipient until the bytes reach each socket.
/// </summary>
public sealed class OutgoingMessage
{
    private OutgoingMessage(byte[] frame, bool isClose = false, bool isReplay = false)
    {
        Frame = frame;
        IsClose = isClose;
        IsReplay = isReplay;
    }

    /// <summary>The whole frame: header and payload.</summary>
    internal ReadOnlyMemory<byte> Frame { get; }

    /// <summary>The payload alone, without the frame header.</summary>
    internal ReadOnlyMemory<byte> Payload => Frame[(Frame.Span[1] switch { 126 => 4, 127 => 10, _ => 2 })..];

    /// <summary>True for a binary message; false for text (and for control frames, which never reach a chat room).</summary>
    internal bool IsBinary => (Frame.Span[0] & 0x0F) == ServerFrame.OpBinary;

    /// <summary>True for a close frame, after which nothing more may be sent (RFC 6455 §5.5.1).</summary>
    internal bool IsClose { get; }

    /// <summary>
    /// True for a message the server replays to one client on its own initiative (the history on joining or
    /// resuming). A send queue counts these apart: a client that has had no chance to read them yet is not
    /// behind because of them.
    /// </summary>
    internal bool IsReplay { get; }

    /// <summary>Number of bytes this message occupies on the wire.</summary>
    public int WireLength => Frame.Length;

    /// <summary>A text message from a string.</summary>
    public static OutgoingMessage Text(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new(ServerFrame.CreateText(text));
    }

    /// <summary>A text message from bytes that must already be valid UTF-8.</summary>
    /// <exception cref="ArgumentException">The bytes are not valid UTF-8.</exception>
    public static OutgoingMessage Text(ReadOnlySpan<byte> utf8)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            throw new ArgumentException("A text message must be valid UTF-8 (RFC 6455 §5.6).", nameof(utf8));
        }
        return new(ServerFrame.Create(ServerFrame.OpText, utf8));
    }

    /// <summary>A binary message.</summary>
    public static OutgoingMessage Binary(ReadOnlySpan<byte> data) => new(ServerFrame.Create(ServerFrame.OpBinary, data));

    internal static OutgoingMessage TrustedText(ReadOnlySpan<byte> utf8, bool isReplay = false) =>
        new(ServerFrame.Create(ServerFrame.OpText, utf8), isReplay: isReplay);

    internal static OutgoingMessage Close(int code, string? reason) => new(ServerFrame.CreateClose(code, reason), isClose: true);

    /// <summary>A frame the BCL wrote by itself, taken as it is.</summary>
    internal static OutgoingMessage FromParser(byte[] frame, bool isClose) => new(frame, isClose);

    internal static OutgoingMessage EmptyClose() => new(ServerFrame.Create(ServerFrame.OpClose, []), isClose: true);

    internal static OutgoingMessage Ping() => new(ServerFrame.Create(ServerFrame.OpPing, []));
}
