using Microsoft.Data.Sqlite;

namespace Fleck.Chat.Sqlite;

/// <summary>
/// Read markers: one row per (stream, user) in <c>reads</c>, deleted with the stream. A marker is
/// written behind: moves are coalesced per (stream, user) and written in one transaction by one
/// pass at a time, so a client's command never waits for the disk.
/// </summary>
public sealed partial class SqliteChatStreamStore
{
    private readonly Dictionary<(string Stream, string User), long> _pendingReads = [];
    private Task _readsWriter = Task.CompletedTask;

    /// <inheritdoc />
    public void SaveRead(string stream, string user, long offset)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(user);
        lock (_pendingReads)
        {
            var first = _pendingReads.Count == 0;
            _pendingReads[(stream, user)] = offset;
            if (first && Volatile.Read(ref _disposed) == 0)
            {
                _readsWriter = Task.Run(WritePendingReads);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyDictionary<string, long>> ReadMarkersAsync(string stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var markers = new Dictionary<string, long>(StringComparer.Ordinal);
        lock (_dbLock)
        {
            using var read = Command(_connection, StoreSql.ReadReads, ("$name", stream));
            using var reader = read.ExecuteReader();
            while (reader.Read())
            {
                markers[reader.GetString(0)] = reader.GetInt64(1);
            }
        }
        return ValueTask.FromResult<IReadOnlyDictionary<string, long>>(markers);
    }

    /// <summary>Writes the markers moved since the last pass; also called once more, under the database lock, as the store closes.</summary>
    private void WritePendingReads()
    {
        lock (_dbLock)
        {
            (string Stream, string User, long Offset)[] batch;
            lock (_pendingReads)
            {
                batch = [.. _pendingReads.Select(p => (p.Key.Stream, p.Key.User, p.Value))];
                _pendingReads.Clear();
            }
            if (batch.Length == 0 || _connection.State != System.Data.ConnectionState.Open)
            {
                return;
            }
            try
            {
                using var transaction = _connection.BeginTransaction();
                using var upsert = Command(_connection, transaction, StoreSql.UpsertRead, ("$stream", ""), ("$user", ""), ("$offset", 0L));
                foreach (var (stream, user, offset) in batch)
                {
                    upsert.Parameters["$stream"].Value = stream;
                    upsert.Parameters["$user"].Value = user;
                    upsert.Parameters["$offset"].Value = offset;
                    upsert.ExecuteNonQuery();
                }
                transaction.Commit();
            }
            catch (SqliteException ex)
            {
                // A marker not kept only shows a message as unread again; nothing a client relies on is lost.
                WriteFailed(ex, 0);
            }
        }
    }

    /// <summary>Waits for the pass in flight, then writes what is left; before the connection closes.</summary>
    private async Task DrainReadsAsync()
    {
        Task writer;
        lock (_pendingReads)
        {
            writer = _readsWriter;
        }
        await writer.ConfigureAwait(false);
        WritePendingReads();
    }
}
