using System.Collections.Concurrent;

namespace Fleck.Chat.Transport;

/// <summary>
/// Runs the drains of one server's outboxes in short turns on the thread pool, instead of one
/// thread-pool work item per connection.
/// <para>
/// A broadcast makes a thousand outboxes due at once. Queued one by one, their drains stood in the
/// pool's queue ahead of the next message's receive, so each recipient got a system call for the
/// first message and another for the next one a moment later. Here a turn drains a few outboxes and
/// then goes to the back of the pool's queue: a receive that arrived meanwhile runs first, its
/// message joins the outboxes still due, and their one write carries both. Nothing waits for a timer;
/// a quiet server drains every outbox at once.
/// </para>
/// <para>
/// At most one turn per processor runs at a time, so a busy server still drains on every core.
/// Thread-safety: <see cref="Schedule"/> may be called from any thread.
/// </para>
/// </summary>
internal sealed class WriteScheduler : IThreadPoolWorkItem
{
    /// <summary>Outboxes drained per turn before the turn yields to the rest of the pool's queue.</summary>
    private const int TurnSize = 16;

    private readonly ConcurrentQueue<Outbox> _due = new();
    private readonly int _maxTurns = Environment.ProcessorCount;
    private int _turns;

    /// <summary>Drains <paramref name="outbox"/> on a coming turn; the caller schedules each outbox once per drain.</summary>
    public void Schedule(Outbox outbox)
    {
        _due.Enqueue(outbox);
        if (Volatile.Read(ref _turns) < _maxTurns)
        {
            TryStartTurn();
        }
    }

    private void TryStartTurn()
    {
        if (Interlocked.Increment(ref _turns) <= _maxTurns)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
        else
        {
            Interlocked.Decrement(ref _turns);
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        for (var i = 0; i < TurnSize && _due.TryDequeue(out var outbox); i++)
        {
            outbox.Drain();
        }
        if (!_due.IsEmpty)
        {
            // Still this turn's slot: to the back of the queue, behind whatever arrived meanwhile.
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            return;
        }
        Interlocked.Decrement(ref _turns);
        // An outbox scheduled between the last dequeue and the decrement saw every slot taken.
        if (!_due.IsEmpty)
        {
            TryStartTurn();
        }
    }
}
