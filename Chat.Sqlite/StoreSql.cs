namespace Fleck.Chat.Sqlite;

/// <summary>
/// The schema and statements of the store. <c>state</c> in <c>meta</c> is <c>open</c> while a
/// process uses the file and <c>clean</c> after it closed it cleanly: finding <c>open</c> at start
/// means the last process died with writes in flight, so every stream gets a new epoch.
/// </summary>
internal static class StoreSql
{
    public const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS streams (name TEXT PRIMARY KEY, epoch TEXT NOT NULL, seq INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS entries (
          stream TEXT NOT NULL, seq INTEGER NOT NULL, name TEXT NOT NULL, msg TEXT NOT NULL, ts INTEGER NOT NULL,
          PRIMARY KEY (stream, seq)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS sends (
          user TEXT NOT NULL, id TEXT NOT NULL, stream TEXT NOT NULL, seq INTEGER, at INTEGER NOT NULL,
          PRIMARY KEY (user, id)) WITHOUT ROWID;
        """;

    /// <summary>Whether <c>entries</c> has the <c>id</c> and <c>to_client</c> columns (files made before they were added do not).</summary>
    public const string HasIdColumn = "SELECT COUNT(*) FROM pragma_table_info('entries') WHERE name = 'id'";

    /// <summary>A message's id and private target: both null for what was kept before.</summary>
    public const string AddIdColumns = "ALTER TABLE entries ADD COLUMN id TEXT; ALTER TABLE entries ADD COLUMN to_client TEXT";

    /// <summary>A send with an id and its ack (a null seq: not numbered), kept for the dedup window; a record replaces one past the window (the chat records an id only when it has none within it).</summary>
    public const string InsertSend = "INSERT OR REPLACE INTO sends (user, id, stream, seq, at) VALUES ($user, $id, $stream, $seq, $at)";

    public const string ListSends = "SELECT user, id, stream, seq, at FROM sends WHERE at >= $since";

    public const string DeleteSends = "DELETE FROM sends WHERE at < $before";

    /// <summary>Whether <c>streams</c> has the <c>used</c> column (files made before it was added do not).</summary>
    public const string HasUsedColumn = "SELECT COUNT(*) FROM pragma_table_info('streams') WHERE name = 'used'";

    /// <summary>When a stream was last used (Unix milliseconds): what the time to live is counted from across a restart.</summary>
    public const string AddUsedColumn = "ALTER TABLE streams ADD COLUMN used INTEGER NOT NULL DEFAULT 0";

    public const string ReadState = "SELECT value FROM meta WHERE key = 'state'";

    public const string SetState = "INSERT INTO meta (key, value) VALUES ('state', $state) ON CONFLICT (key) DO UPDATE SET value = excluded.value";

    /// <summary>After a crash: every stream, opened in this run or not, starts a new epoch.</summary>
    public const string RenewEpochs = "UPDATE streams SET epoch = lower(hex(randomblob(8)))";

    /// <summary>
    /// After a crash or lost writes: keeps of each stream only its last consecutive run of entries,
    /// so the history read back never has a hole where an append was dropped or failed. The start of
    /// each stream's last run (its highest entry whose predecessor is missing) is found once, in one
    /// pass over the entries, rather than per entry.
    /// </summary>
    public const string TrimToLastRun = """
        WITH last_run AS MATERIALIZED (
          SELECT first.stream AS stream, MAX(first.seq) AS start FROM entries AS first
          WHERE NOT EXISTS (SELECT 1 FROM entries AS before WHERE before.stream = first.stream AND before.seq = first.seq - 1)
          GROUP BY first.stream)
        DELETE FROM entries WHERE seq < (SELECT start FROM last_run WHERE last_run.stream = entries.stream)
        """;

    public const string ReadStream = "SELECT epoch, seq FROM streams WHERE name = $name";

    public const string InsertStream = "INSERT INTO streams (name, epoch, seq, used) VALUES ($name, $epoch, 0, $used)";

    public const string MarkAllUsed = "UPDATE streams SET used = $used";

    public const string MarkUsed = "UPDATE streams SET used = $used WHERE name = $name";

    public const string ListStreams = "SELECT name, used FROM streams";

    public const string DeleteStream = "DELETE FROM streams WHERE name = $name";

    public const string DeleteEntries = "DELETE FROM entries WHERE stream = $name";

    public const string ReadEntries = "SELECT name, msg, ts, seq, id, to_client FROM entries WHERE stream = $name ORDER BY seq";

    /// <summary>Only for a stream still there: an append queued before its stream was forgotten must not leave a row behind.</summary>
    public const string InsertEntry = """
        INSERT OR REPLACE INTO entries (stream, seq, name, msg, ts, id, to_client)
        SELECT $stream, $seq, $name, $msg, $ts, $id, $to WHERE EXISTS (SELECT 1 FROM streams WHERE name = $stream)
        """;

    public const string UpdateSeq = "UPDATE streams SET seq = $seq, used = MAX(used, $used) WHERE name = $name";

    public const string Trim = "DELETE FROM entries WHERE stream = $name AND seq <= $below";

    /// <summary>Read markers, made beside the original tables so files from before gain it at their next start.</summary>
    public const string ReadsSchema = """
        CREATE TABLE IF NOT EXISTS reads (stream TEXT NOT NULL, reader TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (stream, reader)) WITHOUT ROWID;
        """;

    public const string ReadReads = "SELECT reader, seq FROM reads WHERE stream = $name";

    /// <summary>Only for a stream still there, and only forward: a write queued before the stream was forgotten must not leave a row behind.</summary>
    public const string UpsertRead = """
        INSERT INTO reads (stream, reader, seq) SELECT $stream, $user, $offset WHERE EXISTS (SELECT 1 FROM streams WHERE name = $stream)
        ON CONFLICT (stream, reader) DO UPDATE SET seq = MAX(seq, excluded.seq)
        """;

    public const string DeleteReads = "DELETE FROM reads WHERE stream = $name";
}
