using Microsoft.Data.Sqlite;

namespace Fleck.Chat.Sqlite;

/// <summary>
/// The write-behind loop: one writer takes whatever has queued up and commits it in one
/// transaction, so the more messages arrive at once, the fewer commits per message.
/// </summary>
public sealed partial class SqliteChatStreamStore
{
    /// <summary>Most appends per transaction: keeps one commit (and the lock it holds) short under a flood.</summary>
    private const int MaxBatch = 4096;

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
            if (_failure is null)
            {
                try
                {
                    lock (_dbLock)
                    {
                        Write(batch);
                    }
                }
                catch (Exception ex) when (ex is SqliteException or IOException or InvalidOperationException)
                {
                    // Nothing more is written: the file stays marked open and the next start makes new epochs.
                    _failure = ex;
                }
            }
            foreach (var pending in batch)
            {
                if (pending.Flushed is { } flushed)
                {
                    if (_failure is { } failure)
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

    private void Write(List<Pending> batch)
    {
        using var transaction = _connection.BeginTransaction();
        using var insert = Command(_connection, transaction, StoreSql.InsertEntry, ("$stream", ""), ("$seq", 0L), ("$name", ""), ("$msg", ""), ("$ts", 0L));
        var latest = new Dictionary<string, (long Seq, int Capacity)>(StringComparer.Ordinal);
        foreach (var pending in batch)
        {
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
                insert.ExecuteNonQuery();
            }
            latest[pending.Stream] = (entry.Offset, pending.Capacity);
        }
        foreach (var (stream, (seq, capacity)) in latest)
        {
            Execute(_connection, transaction, StoreSql.UpdateSeq, ("$seq", seq), ("$name", stream));
            Execute(_connection, transaction, StoreSql.Trim, ("$name", stream), ("$below", seq - capacity));
        }
        transaction.Commit();
    }
}
