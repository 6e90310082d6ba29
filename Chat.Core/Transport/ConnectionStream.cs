using System.Runtime.CompilerServices;

namespace Fleck.Chat.Transport;

/// <summary>
/// The stream the BCL <see cref="System.Net.WebSockets.WebSocket"/> runs on. It does three jobs the
/// framing layer cannot do for us:
/// <list type="bullet">
/// <item>replays bytes that arrived in the same read as the HTTP request (a client may send its first frame at once);</item>
/// <item>stamps the time of the last byte read, which is how keepalive sees pongs the BCL swallows;</item>
/// <item>serializes every write behind one gate, so the coalescing outbox and the BCL's own writes
/// (pongs, protocol-error closes) never interleave, and drops everything after a close frame.</item>
/// </list>
/// Thread-safety: one reader at a time (the BCL's receive), any number of concurrent writers.
/// </summary>
internal sealed class ConnectionStream(Stream inner, ReadOnlyMemory<byte> prefix) : Stream
{
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private ReadOnlyMemory<byte> _prefix = prefix;
    private long _lastReadTicks = Environment.TickCount64;
    private long _writeStartedTicks;
    private volatile bool _closeSent;

    /// <summary><see cref="Environment.TickCount64"/> when the last byte arrived.</summary>
    public long LastReadTicks => Volatile.Read(ref _lastReadTicks);

    /// <summary><see cref="Environment.TickCount64"/> when the write in progress began; 0 when none is.</summary>
    public long WriteStartedTicks => Volatile.Read(ref _writeStartedTicks);

    /// <summary>True once a close frame has gone out; no frame may follow it (RFC 6455 §5.5.1).</summary>
    public bool CloseSent => _closeSent;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_prefix.IsEmpty)
        {
            var n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer.Span);
            _prefix = _prefix[n..];
            return n;
        }
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read > 0)
        {
            Volatile.Write(ref _lastReadTicks, Environment.TickCount64);
        }
        return read;
    }

    /// <summary>Writes from the BCL: one whole frame per call.</summary>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var isClose = !buffer.IsEmpty && (buffer.Span[0] & 0x0F) == ServerFrame.OpClose;
        await WriteGatedAsync(buffer, isClose, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a batch of whole frames; returns false when a close frame already went out and nothing was written.</summary>
    public ValueTask<bool> WriteFramesAsync(ReadOnlyMemory<byte> frames, bool endsWithClose, CancellationToken cancellationToken)
        => WriteGatedAsync(frames, endsWithClose, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> WriteGatedAsync(ReadOnlyMemory<byte> bytes, bool isClose, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closeSent)
            {
                return false;
            }
            _closeSent = isClose;
            Volatile.Write(ref _writeStartedTicks, Environment.TickCount64);
            await inner.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            Volatile.Write(ref _writeStartedTicks, 0);
            _writeGate.Release();
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
