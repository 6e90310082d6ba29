using System.Buffers;

namespace Fleck.Chat.Transport.Handshake;

/// <summary>
/// Reads an HTTP request head in blocks, never past <c>maxBytes</c>. Bytes that arrive after the
/// blank line belong to the WebSocket and are handed back as <see cref="HandshakeRead.Leftover"/>.
/// </summary>
internal static class HandshakeReader
{
    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;

    public static async ValueTask<HandshakeRead> ReadAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(maxBytes);
        try
        {
            var filled = 0;
            while (true)
            {
                if (filled == maxBytes)
                {
                    return new HandshakeRead(HandshakeReadStatus.TooLarge, null, default);
                }
                var read = await stream.ReadAsync(buffer.AsMemory(filled, maxBytes - filled), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return new HandshakeRead(HandshakeReadStatus.Closed, null, default);
                }
                // Only the newly read bytes and the three before them can complete the terminator.
                var searchFrom = Math.Max(0, filled - 3);
                filled += read;
                var end = buffer.AsSpan(searchFrom, filled - searchFrom).IndexOf(EndOfHead);
                if (end >= 0)
                {
                    var headLength = searchFrom + end;
                    var request = UpgradeRequest.TryParse(buffer.AsSpan(0, headLength));
                    var leftoverStart = headLength + EndOfHead.Length;
                    var leftover = filled > leftoverStart ? buffer.AsSpan(leftoverStart, filled - leftoverStart).ToArray() : default(ReadOnlyMemory<byte>);
                    return new HandshakeRead(request is null ? HandshakeReadStatus.Malformed : HandshakeReadStatus.Complete, request, leftover);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

internal enum HandshakeReadStatus
{
    Complete,
    Malformed,
    TooLarge,
    Closed,
}

internal readonly record struct HandshakeRead(HandshakeReadStatus Status, UpgradeRequest? Request, ReadOnlyMemory<byte> Leftover);
