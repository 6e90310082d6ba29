using System.Collections.Concurrent;
using Fleck.Chat.Protocol;
using Fleck.Chat.Scaling;
using Microsoft.Data.Sqlite;

namespace Fleck.Chat.Sqlite;

/// <summary>
/// An <see cref="IBanList"/> kept in a SQLite file (the <c>bans</c> table; the same file as a
/// <see cref="SqliteChatStreamStore"/> suits), so bans survive a restart. One process uses the file,
/// so the list is read once when opened and then answered from memory: an upgrade never waits for
/// the disk. A ban or unban is written before it returns, on a connection of its own that is closed
/// again, which SQLite's locking (WAL) lets sit beside the store's writer.
/// Thread-safety: every member may be called concurrently.
/// </summary>
public sealed class SqliteBanList : IBanList
{
    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS bans (key TEXT PRIMARY KEY, user TEXT NOT NULL, until INTEGER NOT NULL) WITHOUT ROWID;
        """;

    private readonly string _connectionString;
    private readonly ConcurrentDictionary<string, BanEntry> _bans;
    // Writes go to the file one at a time, so the table ends as the last call left the dictionary.
    private readonly SemaphoreSlim _write = new(1, 1);

    private SqliteBanList(string connectionString, ConcurrentDictionary<string, BanEntry> bans)
    {
        _connectionString = connectionString;
        _bans = bans;
    }

    /// <summary>Opens (or creates) the ban list in <paramref name="path"/>; bans that ended while nobody ran are dropped.</summary>
    /// <exception cref="SqliteException">The file cannot be opened or written.</exception>
    public static Task<SqliteBanList> OpenAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString();
        return Task.Run(() =>
        {
            using var connection = Open(connectionString);
            SqliteChatStreamStore.Execute(connection, Schema);
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            SqliteChatStreamStore.Execute(connection, "DELETE FROM bans WHERE until <= $now", ("$now", now));
            var bans = new ConcurrentDictionary<string, BanEntry>(StringComparer.Ordinal);
            using var read = connection.CreateCommand();
            read.CommandText = "SELECT key, user, until FROM bans";
            using var reader = read.ExecuteReader();
            while (reader.Read())
            {
                bans[reader.GetString(0)] = new BanEntry(reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)));
            }
            return new SqliteBanList(connectionString, bans);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask BanAsync(string user, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        var key = Nickname.Key(user);
        await WriteAsync(connection => SqliteChatStreamStore.Execute(connection,
            "INSERT INTO bans (key, user, until) VALUES ($key, $user, $until) ON CONFLICT (key) DO UPDATE SET user = excluded.user, until = excluded.until",
            ("$key", key), ("$user", user), ("$until", until.ToUnixTimeMilliseconds())), cancellationToken).ConfigureAwait(false);
        _bans[key] = new BanEntry(user, until);
    }

    /// <inheritdoc />
    public async ValueTask UnbanAsync(string user, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        var key = Nickname.Key(user);
        await WriteAsync(connection => SqliteChatStreamStore.Execute(connection, "DELETE FROM bans WHERE key = $key", ("$key", key)), cancellationToken).ConfigureAwait(false);
        _bans.TryRemove(key, out _);
    }

    /// <inheritdoc />
    public ValueTask<bool> IsBannedAsync(string user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        return ValueTask.FromResult(!_bans.IsEmpty && _bans.TryGetValue(Nickname.Key(user), out var ban) && ban.Until > DateTimeOffset.UtcNow);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<BanEntry>> ListAsync(CancellationToken cancellationToken = default)
    {
        var now = DateTimeOffset.UtcNow;
        IReadOnlyList<BanEntry> current = [.. _bans.Values.Where(b => b.Until > now).OrderBy(b => b.User, Nickname.Comparer)];
        return ValueTask.FromResult(current);
    }

    private async Task WriteAsync(Action<SqliteConnection> write, CancellationToken cancellationToken)
    {
        await _write.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Task.Run(() =>
            {
                using var connection = Open(_connectionString);
                write(connection);
            }, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _write.Release();
        }
    }

    private static SqliteConnection Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        return connection;
    }
}
