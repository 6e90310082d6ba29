using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Sqlite;

/// <summary>
/// The write-behind loop: one writer takes whatever has queued up and commits it in one
/// transaction, so the more messages arrive at once, the fewer commits per message. A failed
/// transaction loses its appends; the next batch is tried again.
/// </summary>
public sealed partial class SqliteChatStreamStore
{
    /// <summary>Most appends per transaction: keeps one commit (and the lock it holds) short under a flood.</summary>
    private const int MaxBatch = 4096;

    /// <summary>Dropped appends are logged at most this often: a flood of drops must not become a flood of lines.</summary>
    private static readonly TimeSpan DropLogPeriod = TimeSpan.FromMinutes(1);

    private long _dropped;
    private long _nextDropLog;

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Pending>(MaxBatch);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var item))
            {
                batch.Add(item);
            }
            // A batch of flush marks alone writes nothing, so it must not count as the disk working again.
            var appends = batch.Count(p => p.Entry is not null);
            if (appends > 0 || batch.Exists(p => p.Send is not null))
            {
                try
                {
                    lock (_dbLock)
                    {
                        Write(batch);
                    }
                    WriteSucceeded();
                }
                catch (Exception ex) when (ex is SqliteException or IOException or InvalidOperationException)
                {
                    WriteFailed(ex, appends);
                }
            }
            // A flush reports the store's state: while it is failing, what was appended may not be written.
            var failure = Volatile.Read(ref _failure);
            foreach (var pending in batch)
            {
                if (pending.Flushed is { } flushed)
                {
                    if (failure is not null)
                    {
                        flushed.TrySetException(new IOException("The chat store could not write: " + failure.Message, failure));
                    }
                    else
                    {
                        flushed.TrySetResult();
                    }
                }
            }
        }
    }

    /// <summary>Counts <paramref name="lostAppends"/> and, on the first failure of a run of them, logs it.</summary>
    private void WriteFailed(Exception ex, int lostAppends)
    {
        Interlocked.Add(ref _errors, lostAppends);
        // The file now misses something a client may have seen: it must never be marked clean again.
        Volatile.Write(ref _lost, 1);
        if (Interlocked.Exchange(ref _failure, ex) is null)
        {
            _logger.LogError(
                "The chat store {File} cannot write ({Error}): messages are still delivered but not kept; writing is tried again with every batch, and the next start gives every stream a new epoch",
                Path, ex.Message);
        }
    }

    private void WriteSucceeded()
    {
        if (Volatile.Read(ref _failure) is not null && Interlocked.Exchange(ref _failure, null) is not null)
        {
            _logger.LogWarning(
                "The chat store {File} writes again; {Count} messages were not kept, so the next start gives every stream a new epoch",
                Path, ErrorCount);
        }
    }

    /// <summary>An append found the queue full: counted, and logged at most once per <see cref="DropLogPeriod"/>.</summary>
    private void Dropped()
    {
        Interlocked.Increment(ref _errors);
        var dropped = Interlocked.Increment(ref _dropped);
        Volatile.Write(ref _lost, 1);
        var now = Environment.TickCount64;
        var next = Interlocked.Read(ref _nextDropLog);
        if (now >= next && Interlocked.CompareExchange(ref _nextDropLog, now + (long)DropLogPeriod.TotalMilliseconds, next) == next)
        {
            _logger.LogWarning(
                "The chat store {File} is too far behind (its queue of {Capacity} messages is full): {Dropped} messages delivered but not kept so far; the next start gives every stream a new epoch",
                Path, _queueCapacity, dropped);
        }
    }

    /// <summary>Caps the file at its current size, so writes that need a new page fail as on a full disk.</summary>
    internal void LimitToCurrentSize()
    {
        lock (_dbLock)
        {
            // SQLite raises a cap below the current size to the current size.
            Execute(_connection, "PRAGMA max_page_count = 1");
        }
    }

    /// <summary>Lifts <see cref="LimitToCurrentSize"/>: the disk has room again.</summary>
    internal void LiftSizeLimit()
    {
        lock (_dbLock)
        {
            Execute(_connection, "PRAGMA max_page_count = 1073741823");
        }
    }

    /// <summary>Holds the database lock until disposed (on the same thread), so the writer cannot take anything off the queue.</summary>
    internal IDisposable HoldWriter() => new WriterHold(_dbLock);

    private void Write(List<Pending> batch)
    {
        using var transaction = _connection.BeginTransaction();
        using var insert = Command(_connection, transaction, StoreSql.InsertEntry, ("$stream", ""), ("$seq", 0L), ("$name", ""), ("$msg", ""), ("$ts", 0L), ("$id", DBNull.Value), ("$to", DBNull.Value));
        var latest = new Dictionary<string, (long Seq, int Capacity, long Ts)>(StringComparer.Ordinal);
        foreach (var pending in batch)
        {
            if (pending.Send is { } send)
            {
                Execute(_connection, transaction, StoreSql.InsertSend, ("$user", send.User), ("$id", send.Id), ("$stream", send.Sent.Stream),
                    ("$seq", (object?)send.Sent.Offset ?? DBNull.Value), ("$at", send.Sent.At));
                continue;
            }
            if (pending.Entry is not { } entry)
            {
                continue;
            }
            if (pending.Capacity > 0)
            {
                insert.Parameters["$stream"].Value = pending.Stream;
                insert.Parameters["$seq"].Value = entry.Offset;
                insert.Parameters["$name"].Value = entry.Name;
                insert.Parameters["$msg"].Value = entry.Msg;
                insert.Parameters["$ts"].Value = entry.Ts;
                insert.Parameters["$id"].Value = (object?)entry.Id ?? DBNull.Value;
                insert.Parameters["$to"].Value = (object?)entry.To ?? DBNull.Value;
                insert.ExecuteNonQuery();
            }
            latest[pending.Stream] = (entry.Offset, pending.Capacity, entry.Ts);
        }
        foreach (var (stream, (seq, capacity, ts)) in latest)
        {
            Execute(_connection, transaction, StoreSql.UpdateSeq, ("$seq", seq), ("$used", ts), ("$name", stream));
            Execute(_connection, transaction, StoreSql.Trim, ("$name", stream), ("$below", seq - capacity));
        }
        transaction.Commit();
    }

    private sealed class WriterHold : IDisposable
    {
        private readonly Lock _lock;

        public WriterHold(Lock dbLock)
        {
            _lock = dbLock;
            _lock.Enter();
        }

        public void Dispose() => _lock.Exit();
    }
}
