namespace Fleck.Chat.Transport;

/// <summary>
/// The stream the BCL <see cref="System.Net.WebSockets.WebSocket"/> runs on. It does four jobs the
/// framing layer cannot do for us:
/// <list type="bullet">
/// <item>replays bytes that arrived in the same read as the HTTP request (a client may send its first frame at once);</item>
/// <item>stamps the time the peer's bytes last arrived, which is how keepalive sees pongs the BCL swallows;</item>
/// <item>runs the bytes past an <see cref="IncomingFrameScanner"/> for the rules the BCL checks late
/// or not at all; after a violation the read fails and the connection closes with the right code;</item>
/// <item>hands every frame the BCL writes (pongs, the close frame of a protocol error) to the
/// connection, which queues it in its <see cref="Outbox"/>, so the socket has exactly one writer.</item>
/// </list>
/// It never closes the transport: the BCL disposes its stream as soon as it has handed over a close
/// frame that may still be waiting in the outbox; the connection closes the transport itself.
/// Thread-safety: one reader at a time (the BCL's receive); writes may come from any thread.
/// </summary>
internal sealed class ConnectionStream(Stream inner, ReadOnlyMemory<byte> prefix, int maxMessageBytes, int maxControlFramesPerSecond = 0, int maxFragmentsPerMessage = 0) : Stream
{
    private IncomingFrameScanner _scanner = new(maxMessageBytes, maxControlFramesPerSecond, maxFragmentsPerMessage);
    private ReadOnlyMemory<byte> _prefix = prefix;
    private long _lastReadTicks = Environment.TickCount64;
    private long _messagesReturned;

    /// <summary>The transport underneath (TLS or the socket).</summary>
    public Stream Inner => inner;

    /// <summary>Where the BCL's own frames go; set once the connection exists.</summary>
    public WebSocketConnection? Connection { get; set; }

    /// <summary><see cref="Environment.TickCount64"/> when bytes from the peer last arrived (or the stream was made).</summary>
    public long LastReadTicks => Volatile.Read(ref _lastReadTicks);

    /// <summary>
    /// Reads for the BCL, stamping the time whenever bytes arrive. A read that completes at once is
    /// stamped here, one that waits is stamped as it completes (<see cref="ScanWhenReadAsync"/>). A
    /// zero-byte read (the idle wait) is the exception: it is handed back as it is, because an async
    /// wrapper around every idle connection's pending read would cost memory; once it completes the
    /// BCL reads the bytes that are there, and that read completes at once and is stamped.
    /// </summary>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfViolated();
        if (buffer.IsEmpty)
        {
            // A zero-byte read only waits for data: replayed bytes are already here; otherwise the socket
            // waits, holding no buffer while the connection is idle.
            if (!_prefix.IsEmpty)
            {
                return ValueTask.FromResult(0);
            }
            var wait = inner.ReadAsync(buffer, cancellationToken);
            if (wait.IsCompletedSuccessfully)
            {
                // Completing at once means bytes are waiting (or the peer closed).
                Volatile.Write(ref _lastReadTicks, Environment.TickCount64);
            }
            return wait;
        }
        if (!_prefix.IsEmpty)
        {
            var n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer.Span);
            _prefix = _prefix[n..];
            return ValueTask.FromResult(Scan(buffer.Span[..n]));
        }
        var read = inner.ReadAsync(buffer, cancellationToken);
        return read.IsCompletedSuccessfully ? ValueTask.FromResult(Scan(buffer.Span[..read.Result])) : ScanWhenReadAsync(read, buffer);
    }

    /// <summary>The parser has returned the last part of a data message.</summary>
    public void MessageReturned() => _messagesReturned++;

    /// <summary>
    /// Whether the parser has been handed nothing beyond the messages it returned: no replayed bytes
    /// left, no frame begun, no violation pending. Then the next byte can only come from the
    /// transport, and waiting on the transport is the same as waiting on the parser.
    /// </summary>
    public bool HandedNothingBeyondReturnedMessages =>
        _prefix.IsEmpty && _scanner.Violation == FrameViolation.None && _scanner.AtMessageEnd && _scanner.MessagesEnded == _messagesReturned;

    /// <summary>What the scanner found wrong with the client's frames; reads fail once this is set.</summary>
    public FrameViolation Violation => _scanner.Violation;

    /// <summary>When the first byte of the data message under way arrived, or 0 between messages; safe to read from any thread.</summary>
    public long MessageStartedTicks => _scanner.MessageStartedMs;

    /// <summary>Payload length of the client's first close frame, or null before one arrived.</summary>
    public int? FirstCloseLength => _scanner.FirstCloseLength;

    private async ValueTask<int> ScanWhenReadAsync(ValueTask<int> read, Memory<byte> buffer)
    {
        var n = await read.ConfigureAwait(false);
        return Scan(buffer.Span[..n]);
    }

    /// <summary>Stamps the arrival; frames before an offending one are handed on whole, and the next read then fails.</summary>
    private int Scan(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return 0;
        }
        var now = Environment.TickCount64;
        Volatile.Write(ref _lastReadTicks, now);
        var allowed = _scanner.Scan(bytes, now);
        if (allowed == 0)
        {
            ThrowIfViolated();
        }
        return allowed;
    }

    private void ThrowIfViolated()
    {
        if (_scanner.Violation != FrameViolation.None)
        {
            throw new InvalidDataException($"The client broke RFC 6455: {_scanner.Violation}.");
        }
    }

    /// <summary>A frame from the BCL (it writes one whole frame per call): queued, not written here.</summary>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Connection?.OnFrameFromParser(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override void Write(byte[] buffer, int offset, int count) => Connection?.OnFrameFromParser(buffer.AsSpan(offset, count));
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
