namespace Fleck.Chat.Tests.Transport;

/// <summary>
/// A write-only stream for outbox tests: it keeps a copy of every write, notes whether two writes
/// ever overlapped, and can hold writes until the test lets them finish.
/// </summary>
internal sealed class RecordingStream : Stream
{
    private readonly Lock _lock = new();
    private readonly List<byte[]> _writes = [];
    private readonly SemaphoreSlim _started = new(0);
    private TaskCompletionSource? _gate;
    private int _inWrite;

    /// <summary>True once two writes were in progress at the same moment.</summary>
    public bool Overlapped { get; private set; }

    /// <summary>Copies of the writes so far, in order.</summary>
    public IReadOnlyList<byte[]> Writes
    {
        get
        {
            lock (_lock)
            {
                return [.. _writes];
            }
        }
    }

    /// <summary>Everything written so far, as one byte sequence.</summary>
    public byte[] Written => [.. Writes.SelectMany(w => w)];

    /// <summary>From now on every write waits until <see cref="Release"/>.</summary>
    public void Hold()
    {
        lock (_lock)
        {
            _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Lets held and later writes finish.</summary>
    public void Release()
    {
        TaskCompletionSource? gate;
        lock (_lock)
        {
            gate = _gate;
            _gate = null;
        }
        gate?.TrySetResult();
    }

    /// <summary>Completes when the next write (counting from the previous call) has begun.</summary>
    public Task WriteStartedAsync(CancellationToken ct) => _started.WaitAsync(ct);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Increment(ref _inWrite) > 1)
        {
            Overlapped = true;
        }
        try
        {
            Task? gate;
            lock (_lock)
            {
                _writes.Add(buffer.ToArray());
                gate = _gate?.Task;
            }
            _started.Release();
            if (gate is not null)
            {
                await gate;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inWrite);
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override bool CanRead => false;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
