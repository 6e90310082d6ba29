using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Fleck.Chat.Transport;

/// <summary>
/// The bounded outgoing queue of one connection and its single writer.
/// <para>
/// Idle connections are the common case, so the outbox is deliberately light: a small ring of
/// shared <see cref="OutgoingMessage"/> references behind a lock, and no parked writer task. The
/// first enqueue onto an empty outbox schedules one drain on the thread pool; the drain copies every
/// queued frame into one pooled buffer and writes it with a single socket write (each message
/// stays its own frame), and repeats until the ring is empty.
/// </para>
/// <para>
/// The drain is the socket's only writer: frames the BCL writes by itself (pongs, protocol-error
/// closes) are queued here too, so nothing interleaves and nothing is written after a close frame.
/// Every frame counts against the limits, control frames included, so a peer cannot grow the queue
/// with control traffic either. Pongs are coalesced: RFC 6455 §5.5.3 lets an endpoint answer only
/// the most recent of several pings, so at most one pong waits, and a newer one replaces it. The
/// waiting pong goes out at the head of the next write, ahead of queued data, as §5.5.2 asks ("as
/// soon as is practical").
/// </para>
/// <para>
/// An outbox starts parked: frames queue, but nothing is written until <see cref="Start"/>, so
/// nothing can reach the socket ahead of the handshake's 101 answer.
/// </para>
/// <para>
/// On a plain socket (<paramref name="socket"/> given) each batch is first
/// offered to the socket directly; only what the socket cannot take at once goes through the
/// stream's asynchronous write. The direct send needs no async machinery for the common case, and
/// it reports a peer that has gone as an error code: the stream's write throws instead, and the
/// BCL renders a stack trace into every such exception, which made each vanished client cost
/// reflection over its call stack.
/// </para>
/// <para>
/// Drains run on the server's <see cref="WriteScheduler"/> when one is given, in turns shared with
/// the other connections, and otherwise as a thread-pool work item of their own.
/// </para>
/// Thread-safety: any number of concurrent <see cref="TryEnqueue"/> callers; at most one drain runs.
/// </summary>
internal sealed class Outbox(Stream output, int maxMessages, long maxBytes, IWriteFailureListener onWriteFailed, Socket? socket = null, WriteScheduler? scheduler = null) : IThreadPoolWorkItem
{
    /// <summary>Frames are copied into batches of up to this size; larger frames are written on their own.</summary>
    private const int BatchBytes = 64 * 1024;

    private const int InitialCapacity = 4;

    // A lock object of its own, 40 bytes per connection, rather than locking the outbox itself: the
    // object's own monitor sends every enqueue and drain through the runtime's monitor helpers, where
    // a Lock takes its fast path in managed code (BENCHMARKS.md, "the outbox's own lock again").
    private readonly Lock _gate = new();
    private OutgoingMessage?[]? _ring;
    private int _head;
    private int _count;
    private long _queuedBytes;
    private int _replayCount;
    private long _replayBytes;
    private OutgoingMessage? _pendingPong;

    // True while a drain is scheduled or running, and from construction until Start(): an enqueue
    // schedules a drain only when none is, so a parked outbox just queues.
    private bool _draining = true;
    private bool _completed;
    private TaskCompletionSource? _closeWritten;
    private long _writeStartedTicks;

    /// <summary><see cref="Environment.TickCount64"/> when the socket write in progress began; 0 when none is.</summary>
    public long WriteStartedTicks => Volatile.Read(ref _writeStartedTicks);

    /// <summary>Number of frames written so far, and number of socket writes that carried them.</summary>
    public long FramesWritten { get; private set; }

    public long Writes { get; private set; }

    public EnqueueResult TryEnqueue(OutgoingMessage message) => Enqueue(message, replaceQueued: false);

    /// <summary>
    /// Queues a frame the BCL produced (a pong, or the close frame of a protocol error). A pong
    /// replaces one that is still waiting; otherwise it counts against the limits like any frame
    /// (<see cref="EnqueueResult.Full"/> means the peer made the queue overflow). A close frame is
    /// always taken, as from <see cref="TryEnqueue"/>; after a close everything is refused.
    /// </summary>
    public EnqueueResult EnqueueFrameFromParser(ReadOnlySpan<byte> frame)
    {
        if (frame.IsEmpty)
        {
            return EnqueueResult.Queued;
        }
        var opcode = frame[0] & 0x0F;
        var message = OutgoingMessage.FromParser(frame.ToArray(), isClose: opcode == ServerFrame.OpClose);
        return opcode == ServerFrame.OpPong ? EnqueuePong(message) : Enqueue(message, replaceQueued: false);
    }

    private EnqueueResult EnqueuePong(OutgoingMessage pong)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return EnqueueResult.Closed;
            }
            if (_pendingPong is { } waiting)
            {
                if (WouldOverflowLocked(pong, replacing: waiting))
                {
                    return EnqueueResult.Full;
                }
                // A drain is already due to write the waiting pong; the newer one simply takes its place.
                _queuedBytes += pong.WireLength - waiting.WireLength;
                _pendingPong = pong;
                return EnqueueResult.Queued;
            }
            if (WouldOverflowLocked(pong))
            {
                return EnqueueResult.Full;
            }
            _pendingPong = pong;
            _queuedBytes += pong.WireLength;
            if (_draining)
            {
                return EnqueueResult.Queued;
            }
            _draining = true;
        }
        ScheduleDrain();
        return EnqueueResult.Queued;
    }

    /// <summary>
    /// Lets a parked outbox write: whatever queued meanwhile goes out now. A direct socket is put in
    /// non-blocking mode first, so a send it cannot take at once reports "would block" and goes the
    /// asynchronous way; until now the socket may still be written synchronously (the 101 answer).
    /// </summary>
    public void Start()
    {
        if (socket is not null)
        {
            try
            {
                socket.Blocking = false;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // The socket is already gone: the first send fails and ends the connection.
            }
        }
        lock (_gate)
        {
            Debug.Assert(_draining, "Start is called once, on a parked outbox");
            if (_count == 0 && _pendingPong is null)
            {
                _draining = false;
                return;
            }
        }
        ScheduleDrain();
    }

    /// <summary>Frames waiting to be written (a waiting pong included), and their bytes.</summary>
    public (int Messages, long Bytes) Queued
    {
        get
        {
            lock (_gate)
            {
                return (QueuedCountLocked, _queuedBytes);
            }
        }
    }

    private int QueuedCountLocked => _pendingPong is null ? _count : _count + 1;

    /// <summary>Drops everything queued and queues the close frame <paramref name="close"/> in its place.</summary>
    public void ReplaceWithClose(OutgoingMessage close)
    {
        Debug.Assert(close.IsClose);
        Enqueue(close, replaceQueued: true);
    }

    private EnqueueResult Enqueue(OutgoingMessage message, bool replaceQueued)
    {
        bool schedule;
        lock (_gate)
        {
            if (_completed)
            {
                return EnqueueResult.Closed;
            }
            if (replaceQueued)
            {
                ClearLocked();
            }
            else if (!message.IsClose && WouldOverflowLocked(message))
            {
                return EnqueueResult.Full;
            }
            Push(message);
            if (message.IsClose)
            {
                // Nothing may follow a close frame.
                _completed = true;
                _closeWritten = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            schedule = !_draining;
            _draining = true;
        }
        if (schedule)
        {
            ScheduleDrain();
        }
        return EnqueueResult.Queued;
    }

    /// <summary>
    /// Whether queuing <paramref name="message"/> (in the place of <paramref name="replacing"/>, if
    /// given) would break the limits. Replayed messages (the history a client is sent on joining) are
    /// left out, up to one more queue's worth: the client has had no chance to read them yet, and one
    /// that reads nothing still holds at most twice the limits.
    /// </summary>
    private bool WouldOverflowLocked(OutgoingMessage message, OutgoingMessage? replacing = null)
    {
        var count = QueuedCountLocked + 1 - (replacing is null ? 0 : 1);
        var bytes = _queuedBytes + message.WireLength - (replacing?.WireLength ?? 0);
        var replayCount = _replayCount + (message.IsReplay ? 1 : 0);
        var replayBytes = _replayBytes + (message.IsReplay ? message.WireLength : 0);
        return count - Math.Min(replayCount, maxMessages) > maxMessages
            || bytes - Math.Min(replayBytes, maxBytes) > maxBytes;
    }

    private void ClearLocked()
    {
        if (_ring is not null)
        {
            Array.Clear(_ring);
        }
        _head = 0;
        _count = 0;
        _queuedBytes = 0;
        _replayCount = 0;
        _replayBytes = 0;
        _pendingPong = null;
    }

    /// <summary>Completes once a queued close frame has been written, or the outbox was discarded; null if no close was queued.</summary>
    public Task? CloseWritten
    {
        get
        {
            lock (_gate)
            {
                return _closeWritten?.Task;
            }
        }
    }

    /// <summary>Refuses every later message; what is already queued is still written.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
        }
    }

    /// <summary>Drops whatever is queued; used once the socket is gone.</summary>
    public void Discard()
    {
        lock (_gate)
        {
            _completed = true;
            ClearLocked();
        }
        _closeWritten?.TrySetResult();
    }

    void IThreadPoolWorkItem.Execute() => Drain();

    /// <summary>Runs the drain that was scheduled: from the thread pool, or from a <see cref="WriteScheduler"/> turn.</summary>
    internal void Drain() => _ = DrainAsync();

    private void ScheduleDrain()
    {
        if (scheduler is not null)
        {
            scheduler.Schedule(this);
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    private void Push(OutgoingMessage message)
    {
        _ring ??= new OutgoingMessage?[InitialCapacity];
        if (_count == _ring.Length)
        {
            // Doubling keeps the copying amortized to O(1) per message; the limits bound the size
            // (a close frame may take one slot past them).
            var grown = new OutgoingMessage?[_ring.Length * 2];
            var tail = _ring.Length - _head;
            Array.Copy(_ring, _head, grown, 0, tail);
            Array.Copy(_ring, 0, grown, tail, _head);
            _ring = grown;
            _head = 0;
        }
        // The capacity is a power of two (4, doubled), so a mask wraps the index without a division.
        _ring[(_head + _count) & (_ring.Length - 1)] = message;
        _count++;
        _queuedBytes += message.WireLength;
        if (message.IsReplay)
        {
            _replayCount++;
            _replayBytes += message.WireLength;
        }
    }

    private OutgoingMessage? PeekLocked() => _count == 0 ? null : _ring![_head];

    private void PopLocked()
    {
        var message = _ring![_head]!;
        _ring[_head] = null;
        _head = (_head + 1) & (_ring.Length - 1);
        _count--;
        _queuedBytes -= message.WireLength;
        if (message.IsReplay)
        {
            _replayCount--;
            _replayBytes -= message.WireLength;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DrainAsync()
    {
        byte[]? batch = null;
        try
        {
            while (true)
            {
                ReadOnlyMemory<byte> toWrite;
                bool endsWithClose = false;
                var frames = 0;
                lock (_gate)
                {
                    var pong = _pendingPong;
                    var first = PeekLocked();
                    if (pong is null && first is null)
                    {
                        _draining = false;
                        return;
                    }
                    if (pong is null && first!.WireLength >= BatchBytes)
                    {
                        // A big frame goes out as it is: copying it would cost more than the extra write.
                        PopLocked();
                        toWrite = first.Frame;
                        endsWithClose = first.IsClose;
                        frames = 1;
                    }
                    else
                    {
                        batch ??= ArrayPool<byte>.Shared.Rent(BatchBytes);
                        var used = 0;
                        if (pong is not null)
                        {
                            pong.Frame.Span.CopyTo(batch);
                            used = pong.WireLength;
                            frames = 1;
                            _pendingPong = null;
                            _queuedBytes -= pong.WireLength;
                        }
                        for (var next = first; next is not null && used + next.WireLength <= batch.Length; next = PeekLocked())
                        {
                            next.Frame.Span.CopyTo(batch.AsSpan(used));
                            used += next.WireLength;
                            frames++;
                            PopLocked();
                            if (next.IsClose)
                            {
                                endsWithClose = true;
                                break;
                            }
                        }
                        toWrite = batch.AsMemory(0, used);
                    }
                }
                Debug.Assert(frames > 0);
                if (socket is not null)
                {
                    var sent = socket.Send(toWrite.Span, SocketFlags.None, out var error);
                    if (error == SocketError.Success)
                    {
                        toWrite = toWrite[sent..];
                    }
                    else if (error != SocketError.WouldBlock)
                    {
                        Fail(new SocketException((int)error));
                        return;
                    }
                }
                if (!toWrite.IsEmpty)
                {
                    Volatile.Write(ref _writeStartedTicks, Environment.TickCount64);
                    await output.WriteAsync(toWrite, CancellationToken.None).ConfigureAwait(false);
                    Volatile.Write(ref _writeStartedTicks, 0);
                }
                FramesWritten += frames;
                Writes++;
                if (endsWithClose)
                {
                    _closeWritten?.TrySetResult();
                }
            }
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
        finally
        {
            if (batch is not null)
            {
                ArrayPool<byte>.Shared.Return(batch);
            }
        }
    }

    private void Fail(Exception error)
    {
        Discard();
        lock (_gate)
        {
            _draining = false;
        }
        onWriteFailed.OnWriteFailed(error);
    }
}

/// <summary>Outcome of queuing a message to a connection.</summary>
internal enum EnqueueResult
{
    Queued,
    Full,
    Closed,
}
