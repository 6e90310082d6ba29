using System.Buffers;
using System.Net.WebSockets;
using System.Text.Unicode;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Transport;

public sealed partial class WebSocketConnection
{
    /// <summary>First receive buffer; it grows by doubling up to the message limit.</summary>
    private const int InitialReceiveBuffer = 4096;

    // What the receive loop needs when the socket's completion starts it again after an idle wait.
    private IWebSocketHandler? _handler;
    private CancellationToken _serverStopping;
    private ValueTask<int> _idleWait;
    private Action? _resume;

    /// <summary>
    /// The connection's life: open, messages in order, close. The BCL does the framing and the
    /// RFC checks it knows (masking, reserved bits, opcodes, control-frame rules, UTF-8 of text,
    /// close codes); this loop adds what it leaves to its caller: the message size limit, the
    /// reply to a peer's close, and cleanup on every path.
    /// </summary>
    internal Task RunAsync(IWebSocketHandler handler, CancellationToken serverStopping)
    {
        _handler = handler;
        _serverStopping = serverStopping;
        return RunAsync(resumed: false);
    }

    /// <summary>The socket has something to read (or failed) after the loop parked on it: the loop goes on.</summary>
    private void ResumeAfterIdleWait() => _ = RunAsync(resumed: true);

    private async Task RunAsync(bool resumed)
    {
        var handler = _handler!;
        var serverStopping = _serverStopping;
        var parked = false;
        try
        {
            if (resumed)
            {
                // Throws what the wait ended with (the socket closed or failed), like an awaited receive would.
                var wait = _idleWait;
                _idleWait = default;
                wait.GetAwaiter().GetResult();
            }
            else
            {
                await handler.OnOpenAsync(this, serverStopping).ConfigureAwait(false);
            }
            // No cancellation token on receives: a registration per pending read costs memory on every
            // idle connection, and Abort() ends a pending read anyway by closing the socket.
            while (true)
            {
                // Over a plain socket without deflate, the wait between messages is a zero-byte receive on the
                // socket itself, once the parser holds no unread bytes: a receive pending in the BCL's parser
                // would keep its async state (over 200 bytes) alive for as long as the connection is idle.
                // When the socket has nothing yet, this method returns and the socket's completion starts it
                // again, so an idle connection holds no async state of ours either, only that callback.
                if (_stream.Inner is System.Net.Sockets.NetworkStream && !IsCompressionEnabled && _stream.HandedNothingBeyondReturnedMessages)
                {
                    var wait = _socket.ReceiveAsync(Memory<byte>.Empty, System.Net.Sockets.SocketFlags.None);
                    if (!wait.IsCompleted)
                    {
                        _idleWait = wait;
                        parked = true;
                        wait.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_resume ??= ResumeAfterIdleWait);
                        return;
                    }
                    wait.GetAwaiter().GetResult();
                }
                // A zero-byte receive waits for the next frame without holding a buffer while idle.
                var first = await _webSocket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
                if (first.MessageType == WebSocketMessageType.Close)
                {
                    await OnPeerCloseAsync().ConfigureAwait(false);
                    return;
                }
                // The rest of the message is read by a method of its own: this one's state is what every idle
                // connection holds while it waits, so it keeps no more locals than the wait needs.
                if (!await ReceiveRestAsync(first, handler, serverStopping).ConfigureAwait(false))
                {
                    return;
                }
                _stream.MessageReturned();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException or InvalidDataException or System.Net.Sockets.SocketException)
        {
            _logger.LogDebug("Connection {Id} from {Remote} ended: {Reason}", Id, RemoteEndPoint, ex.Message);
            if (_stream.Violation is not FrameViolation.None and var violation)
            {
                // The scanner stopped the parser before the offending frame; fail the connection with the RFC's code.
                var (code, reason) = violation switch
                {
                    FrameViolation.TooBig => (WebSocketCloseCode.MessageTooBig, violation.ToString()),
                    FrameViolation.ControlFlood => (WebSocketCloseCode.PolicyViolation, "Too many pings"),
                    FrameViolation.TooManyFragments => (WebSocketCloseCode.PolicyViolation, "Too many fragments in one message"),
                    _ => (WebSocketCloseCode.ProtocolError, violation.ToString()),
                };
                await CloseAsync(code, reason).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Connection {Id} from {Remote} failed in its handler", Id, RemoteEndPoint);
            await CloseAsync(WebSocketCloseCode.InternalError, "Internal error").ConfigureAwait(false);
        }
        finally
        {
            if (!parked)
            {
                await FinishAsync(handler).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Reads the rest of a message whose first frame <paramref name="first"/> has begun, checks it and
    /// hands it to the handler. False when the connection is done (the peer closed, or the message broke a rule).
    /// </summary>
    private async Task<bool> ReceiveRestAsync(ValueWebSocketReceiveResult first, IWebSocketHandler handler, CancellationToken serverStopping)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialReceiveBuffer, _options.MaxMessageBytes + 1));
        try
        {
            var length = 0;
            var end = first.EndOfMessage;
            while (!end)
            {
                if (length == buffer.Length)
                {
                    buffer = Grow(buffer, length);
                }
                var limit = Math.Min(buffer.Length, _options.MaxMessageBytes + 1);
                var part = await _webSocket.ReceiveAsync(buffer.AsMemory(length, limit - length), CancellationToken.None).ConfigureAwait(false);
                if (part.MessageType == WebSocketMessageType.Close)
                {
                    await OnPeerCloseAsync().ConfigureAwait(false);
                    return false;
                }
                length += part.Count;
                end = part.EndOfMessage;
                if (length > _options.MaxMessageBytes)
                {
                    _logger.LogDebug("Connection {Id} from {Remote} sent a message over {Max} bytes", Id, RemoteEndPoint, _options.MaxMessageBytes);
                    await CloseAsync(WebSocketCloseCode.MessageTooBig, $"Message larger than {_options.MaxMessageBytes} bytes").ConfigureAwait(false);
                    await DrainUntilPeerClosesAsync().ConfigureAwait(false);
                    return false;
                }
            }
            // The BCL checks UTF-8 frame by frame but not that the message ends on a whole
            // character when its last fragment is empty; only that tail needs looking at.
            if (first.MessageType == WebSocketMessageType.Text && !EndsOnWholeCharacter(buffer.AsSpan(0, length)))
            {
                _logger.LogDebug("Connection {Id} from {Remote} sent text that is not UTF-8", Id, RemoteEndPoint);
                await CloseAsync(WebSocketCloseCode.InvalidPayload, "Text message is not valid UTF-8").ConfigureAwait(false);
                await DrainUntilPeerClosesAsync().ConfigureAwait(false);
                return false;
            }
            if (Volatile.Read(ref _closeStarted) == 0)
            {
                await handler.OnMessageAsync(this, new WebSocketMessage(first.MessageType, buffer.AsMemory(0, length)), serverStopping).ConfigureAwait(false);
            }
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private byte[] Grow(byte[] buffer, int used)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _options.MaxMessageBytes + 1));
        buffer.AsSpan(0, used).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        return bigger;
    }

    /// <summary>
    /// The peer sent a close frame (the BCL has checked its code). If we had not closed yet, echo
    /// its code as RFC 6455 §5.5.1 asks; either way the handshake is then complete.
    /// </summary>
    private async Task OnPeerCloseAsync()
    {
        // The BCL reports a close without a status code as 1000; the scanner knows it had none (RFC 6455 §7.1.5).
        PeerCloseCode = _stream.FirstCloseLength == 0 ? null : _webSocket.CloseStatus is { } status ? (int)status : null;
        if (Interlocked.Exchange(ref _closeStarted, 1) == 0)
        {
            var reply = PeerCloseCode is { } code ? OutgoingMessage.Close(code, null) : OutgoingMessage.EmptyClose();
            _outbox.TryEnqueue(reply);
            ScheduleCloseTimeout();
        }
        if (_outbox.CloseWritten is { } written)
        {
            await written.ConfigureAwait(false);
        }
    }

    /// <summary>After we closed for a protocol reason, read and discard until the peer's close arrives (or the timeout aborts).</summary>
    /// <summary>
    /// Whether UTF-8 text that is valid up to its last character also completes that character: the
    /// tail from the last lead byte (at most four bytes back) must be valid on its own.
    /// </summary>
    private static bool EndsOnWholeCharacter(ReadOnlySpan<byte> text)
    {
        var start = Math.Max(0, text.Length - 4);
        var lead = text.Length - 1;
        while (lead > start && (text[lead] & 0xC0) == 0x80)
        {
            lead--;
        }
        return lead < 0 || Utf8.IsValid(text[lead..]);
    }

    private async Task DrainUntilPeerClosesAsync()
    {
        var scratch = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (true)
            {
                var r = await _webSocket.ReceiveAsync(scratch.AsMemory(), CancellationToken.None).ConfigureAwait(false);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    await OnPeerCloseAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// Cleanup on every path. The ordering matters: the connection leaves the server's registry (and
    /// its count, which admission and statistics read) before the handler hears of the close, and in
    /// a finally, so a slow or failing close handler never leaves a closed connection counted.
    /// </summary>
    private async Task FinishAsync(IWebSocketHandler handler)
    {
        try
        {
            Interlocked.Exchange(ref _closeStarted, 1);
            _outbox.Complete();
            if (_outbox.CloseWritten is { } written && !IsAborted)
            {
                // Let a queued close frame reach the wire before the socket goes; if the write is stuck,
                // the sweep's close timeout aborts the connection, which completes this too.
                await written.ConfigureAwait(false);
            }
            try
            {
                _socket.Shutdown(System.Net.Sockets.SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
            }
            Abort();
            _webSocket.Dispose();
            await _stream.Inner.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Cleanup of connection {Id} failed", Id);
        }
        finally
        {
            _server?.Remove(this);
        }
        try
        {
            await handler.OnCloseAsync(this).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Close handler of connection {Id} failed", Id);
        }
        finally
        {
            _server?.CloseHandled();
        }
    }
}
