using System.Security.Cryptography;
using System.Threading.Channels;
using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleck.Chat.Sqlite;

/// <summary>
/// An <see cref="IChatStreamStore"/> in one SQLite file: history, offsets and epochs survive a
/// restart. Appends are queued and written behind by one writer, which commits whatever has queued
/// up in one transaction (WAL, synchronous=NORMAL), so no delivery waits for the disk.
/// <para>
/// What a crash can lose: a kill -9 loses the appends still queued or in the transaction being
/// written, which are the messages of the last moments (under load, those numbered while the
/// previous batch was being committed); committed ones survive a process crash (they are in the
/// WAL). A power failure may also lose the last committed transactions. Either way the file is
/// left marked open, and the next start gives every stream a new epoch, so a client holding an
/// offset that was lost or may be given to another message is told recovery was not possible.
/// A clean <see cref="DisposeAsync"/> writes everything, checkpoints, marks the file clean and
/// keeps the epochs. One process at a time may use a file.
/// </para>
/// <para>
/// When the disk fails (full, gone, read-only): the chat goes on delivering live, but what it says
/// is not kept. The first failed write of a run of failures is logged as an error (one line, not
/// one per batch), <see cref="IsFailing"/> turns true and <see cref="ErrorCount"/> counts every append not kept. The writer tries again with the
/// next batch, so a disk that frees up is written to again (and <see cref="IsFailing"/> turns false);
/// the lost appends stay lost, so the file is never marked clean again by this process and the next
/// start gives every stream a new epoch (a message that was delivered but not kept is never offered
/// as recovered).
/// </para>
/// <para>
/// The write queue holds at most <see cref="DefaultQueueCapacity"/> appends. When the disk falls that
/// far behind, further appends are dropped rather than making a delivery wait: each is counted in
/// <see cref="ErrorCount"/>, drops are logged at most once a minute, and the file is left marked
/// not clean as above.
/// </para>
/// <code>
/// var store = await SqliteChatStreamStore.OpenAsync("chat.db");
/// await using var chat = new ChatServer(new NickBroadcastMode(), new ChatServerOptions { Backplane = new InMemoryBackplane(store) });
/// </code>
/// Thread-safety: all members may be called concurrently.
/// </summary>
public sealed partial class SqliteChatStreamStore : IChatStreamStore
{
    /// <summary>Most appends waiting to be written; beyond it appends are dropped (and counted).</summary>
    public const int DefaultQueueCapacity = 100_000;

    private readonly SqliteConnection _connection;
    private readonly Lock _dbLock = new();
    private readonly Channel<Pending> _queue;
    private readonly ILogger _logger;
    private readonly Task _writer;
    private readonly int _queueCapacity;
    private Exception? _failure;
    private long _errors;
    private int _lost;
    private int _disposed;

    private SqliteChatStreamStore(SqliteConnection connection, bool recoveredFromCrash, ILogger logger, int queueCapacity)
    {
        _connection = connection;
        _logger = logger;
        _queueCapacity = queueCapacity;
        RecoveredFromCrash = recoveredFromCrash;
        // Wait mode only makes TryWrite refuse when full; nothing ever waits on the delivery path.
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(queueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The file's path.</summary>
    public string Path => _connection.DataSource;

    /// <summary>Whether the last process to use the file did not close it cleanly, so every stream was given a new epoch.</summary>
    public bool RecoveredFromCrash { get; }

    /// <inheritdoc />
    public bool IsFailing => Volatile.Read(ref _failure) is not null;

    /// <inheritdoc />
    public long ErrorCount => Interlocked.Read(ref _errors);

    /// <summary>Opens (or creates) the store in <paramref name="path"/>.</summary>
    /// <exception cref="SqliteException">The file cannot be opened or is not a store.</exception>
    public static Task<SqliteChatStreamStore> OpenAsync(string path, CancellationToken cancellationToken) =>
        OpenAsync(path, null, cancellationToken);

    /// <summary>Opens (or creates) the store in <paramref name="path"/>; failed writes and dropped appends are logged to <paramref name="loggerFactory"/>.</summary>
    /// <exception cref="SqliteException">The file cannot be opened or is not a store.</exception>
    public static Task<SqliteChatStreamStore> OpenAsync(string path, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default) =>
        OpenAsync(path, loggerFactory, DefaultQueueCapacity, cancellationToken);

    /// <summary>As the public overload, with a write queue of <paramref name="queueCapacity"/> appends (small in tests).</summary>
    internal static Task<SqliteChatStreamStore> OpenAsync(string path, ILoggerFactory? loggerFactory, int queueCapacity, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCapacity, 1);
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Fleck.Chat.Sqlite");
        return Task.Run(() =>
        {
            var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
            try
            {
                connection.Open();
                Execute(connection, StoreSql.Schema);
                Execute(connection, StoreSql.ReadsSchema);
                if (Convert.ToInt64(ScalarOf(connection, StoreSql.HasUsedColumn), System.Globalization.CultureInfo.InvariantCulture) == 0)
                {
                    // Streams kept before the column existed count as used now: their time to live starts with this run.
                    Execute(connection, StoreSql.AddUsedColumn);
                    Execute(connection, StoreSql.MarkAllUsed, ("$used", NowMs()));
                }
                if (Convert.ToInt64(ScalarOf(connection, StoreSql.HasIdColumn), System.Globalization.CultureInfo.InvariantCulture) == 0)
                {
                    Execute(connection, StoreSql.AddIdColumns);
                }
                bool crashed;
                using (var transaction = connection.BeginTransaction())
                {
                    var state = Scalar(connection, transaction, StoreSql.ReadState) as string;
                    crashed = state is not null and not "clean";
                    if (crashed)
                    {
                        Execute(connection, transaction, StoreSql.RenewEpochs);
                        Execute(connection, transaction, StoreSql.TrimToLastRun);
                    }
                    Execute(connection, transaction, StoreSql.SetState, ("$state", "open"));
                    transaction.Commit();
                }
                // Committed transactions survive a process crash; a power failure only costs epochs, see above.
                Execute(connection, "PRAGMA synchronous = NORMAL");
                return new SqliteChatStreamStore(connection, crashed, logger, queueCapacity);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<RoomStreamState> OpenStreamAsync(string stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_dbLock)
        {
            using (var read = Command(_connection, StoreSql.ReadStream, ("$name", stream)))
            using (var reader = read.ExecuteReader())
            {
                if (reader.Read())
                {
                    var epoch = reader.GetString(0);
                    var offset = reader.GetInt64(1);
                    reader.Close();
                    MarkUsed(stream);
                    return ValueTask.FromResult(new RoomStreamState(epoch, offset, ReadEntries(stream)));
                }
            }
            // Recorded at once, so the epoch a client may see is the one the next start finds.
            var fresh = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
            try
            {
                Execute(_connection, StoreSql.InsertStream, ("$name", stream), ("$epoch", fresh), ("$used", NowMs()));
            }
            catch (SqliteException ex)
            {
                // Safe to go on: a stream the file does not know gets another fresh epoch at the next start.
                WriteFailed(ex, 0);
            }
            return ValueTask.FromResult(new RoomStreamState(fresh, 0, []));
        }
    }

    /// <inheritdoc />
    /// <remarks>The streams' rows and messages are deleted at once, in one transaction; their space is reused by later writes.</remarks>
    public void Forget(IReadOnlyCollection<string> streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        if (streams.Count == 0 || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }
        lock (_dbLock)
        {
            try
            {
                using var transaction = _connection.BeginTransaction();
                using var entries = Command(_connection, transaction, StoreSql.DeleteEntries, ("$name", ""));
                using var rows = Command(_connection, transaction, StoreSql.DeleteStream, ("$name", ""));
                using var reads = Command(_connection, transaction, StoreSql.DeleteReads, ("$name", ""));
                foreach (var stream in streams)
                {
                    reads.Parameters["$name"].Value = stream;
                    reads.ExecuteNonQuery();
                    entries.Parameters["$name"].Value = stream;
                    entries.ExecuteNonQuery();
                    rows.Parameters["$name"].Value = stream;
                    rows.ExecuteNonQuery();
                }
                transaction.Commit();
            }
            catch (SqliteException ex)
            {
                // Nothing a client saw is lost by rows that stay: the next start finds them past their time.
                _logger.LogWarning("The chat store {File} could not forget {Count} expired streams: {Error}", Path, streams.Count, ex.Message);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<StoredStream>> ListStreamsAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var streams = new List<StoredStream>();
        lock (_dbLock)
        {
            using var list = Command(_connection, StoreSql.ListStreams);
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                streams.Add(new StoredStream(reader.GetString(0), reader.GetInt64(1)));
            }
        }
        return ValueTask.FromResult<IReadOnlyList<StoredStream>>(streams);
    }

    /// <inheritdoc />
    public void Append(string stream, RoomEntry entry, int capacity)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(entry);
        // After disposal the write is refused by the closed queue; the message was delivered, not kept.
        if (!_queue.Writer.TryWrite(new Pending(stream, entry, capacity, null)) && Volatile.Read(ref _disposed) == 0)
        {
            Dropped();
        }
    }

    /// <inheritdoc />
    /// <remarks>Written behind with the appends, so a send is kept no later than its message.</remarks>
    public void RecordSent(StoredSend send)
    {
        ArgumentNullException.ThrowIfNull(send);
        if (!_queue.Writer.TryWrite(new Pending("", null, 0, null, send)) && Volatile.Read(ref _disposed) == 0)
        {
            Dropped();
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<StoredSend>> ListSentAsync(long since, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var sends = new List<StoredSend>();
        lock (_dbLock)
        {
            using var list = Command(_connection, StoreSql.ListSends, ("$since", since));
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                sends.Add(new StoredSend(reader.GetString(0), reader.GetString(1),
                    new SentMessage(reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt64(3), reader.GetInt64(4))));
            }
        }
        return ValueTask.FromResult<IReadOnlyList<StoredSend>>(sends);
    }

    /// <inheritdoc />
    public void ForgetSentBefore(long cutoff)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }
        lock (_dbLock)
        {
            try
            {
                Execute(_connection, StoreSql.DeleteSends, ("$before", cutoff));
            }
            catch (SqliteException ex)
            {
                // Rows past the window are never answered (the start reads only those within it); the next pass tries again.
                _logger.LogWarning("The chat store {File} could not forget old sends: {Error}", Path, ex.Message);
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="IOException">A write failed; what was queued since is not kept.</exception>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            // A flush may wait for room in the queue: only appends must never wait.
            await _queue.Writer.WriteAsync(new Pending("", null, 0, done), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
            ThrowIfFailed();
            return;
        }
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes everything queued, checkpoints, marks the file clean (so the epochs are kept) and
    /// closes it. After any append was lost (a failed write, a full queue) the file stays marked open:
    /// the next start makes new epochs.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await DrainReadsAsync().ConfigureAwait(false);
        lock (_dbLock)
        {
            try
            {
                if (Volatile.Read(ref _lost) == 0)
                {
                    Execute(_connection, "PRAGMA wal_checkpoint(TRUNCATE)");
                    Execute(_connection, "PRAGMA synchronous = FULL");
                    Execute(_connection, StoreSql.SetState, ("$state", "clean"));
                }
            }
            finally
            {
                _connection.Dispose();
            }
        }
    }

    private IReadOnlyList<RoomEntry> ReadEntries(string stream)
    {
        var entries = new List<RoomEntry>();
        using var read = Command(_connection, StoreSql.ReadEntries, ("$name", stream));
        using var reader = read.ExecuteReader();
        while (reader.Read())
        {
            entries.Add(new RoomEntry(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3))
            {
                Id = reader.IsDBNull(4) ? null : reader.GetString(4),
                To = reader.IsDBNull(5) ? null : reader.GetString(5),
            });
        }
        return entries;
    }

    /// <summary>An opening is a use: the time to live counts from it across a restart too.</summary>
    private void MarkUsed(string stream)
    {
        try
        {
            Execute(_connection, StoreSql.MarkUsed, ("$name", stream), ("$used", NowMs()));
        }
        catch (SqliteException ex)
        {
            // Only the time to live after a restart depends on it: it then counts from the last message.
            WriteFailed(ex, 0);
        }
    }

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static object? ScalarOf(SqliteConnection connection, string sql)
    {
        using var command = Command(connection, sql);
        return command.ExecuteScalar();
    }

    private void ThrowIfFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw new IOException("The chat store could not write: " + failure.Message, failure);
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters) =>
        Command(connection, null, sql, parameters);

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return command;
    }

    internal static void Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters) =>
        Execute(connection, null, sql, parameters);

    private static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = Command(connection, transaction, sql);
        return command.ExecuteScalar();
    }

    /// <summary>A queued append, or (with <see cref="Flushed"/>) a flush mark.</summary>
    private sealed record Pending(string Stream, RoomEntry? Entry, int Capacity, TaskCompletionSource? Flushed, StoredSend? Send = null);
}
