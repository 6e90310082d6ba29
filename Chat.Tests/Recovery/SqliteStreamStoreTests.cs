using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;
using Fleck.Chat.Sqlite;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Recovery;

/// <summary>The contract for the SQLite store, and what only a file can do: outlive the process, and notice when it did not close cleanly.</summary>
public sealed class SqliteStreamStoreTests : StreamStoreContract
{
    private TemporaryFolder _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = new TemporaryFolder("fleck-chat-sqlite-");

    [TearDown]
    public void DeleteFolder() => _folder.Dispose();

    private string File => _folder.File("chat.db");

    protected override async Task<IChatStreamStore> CreateAsync() => await SqliteChatStreamStore.OpenAsync(File);

    [Test]
    public async Task Streams_of_a_file_made_before_last_use_was_recorded_count_as_used_now()
    {
        var ct = TestTimeouts.Token();
        using (var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={File};Pooling=False"))
        {
            old.Open();
            using var create = old.CreateCommand();
            create.CommandText = """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE streams (name TEXT PRIMARY KEY, epoch TEXT NOT NULL, seq INTEGER NOT NULL);
                CREATE TABLE entries (stream TEXT NOT NULL, seq INTEGER NOT NULL, name TEXT NOT NULL, msg TEXT NOT NULL, ts INTEGER NOT NULL, PRIMARY KEY (stream, seq)) WITHOUT ROWID;
                INSERT INTO meta VALUES ('state', 'clean');
                INSERT INTO streams VALUES ('lobby', '00000000000000aa', 3);
                """;
            create.ExecuteNonQuery();
        }
        var opened = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        await using IChatStreamStore store = await SqliteChatStreamStore.OpenAsync(File, ct);
        var streams = await store.ListStreamsAsync(ct);

        Assert.That(streams.Select(s => s.Name), Is.EqualTo(new[] { "lobby" }));
        Assert.That(streams[0].LastUsed, Is.GreaterThanOrEqualTo(opened), "not 0, which would make it expire at once");
        Assert.That((await store.OpenStreamAsync("lobby", ct)).Epoch, Is.EqualTo("00000000000000aa"));
    }

    [Test]
    public async Task After_a_clean_close_a_reopened_file_has_the_same_epochs_offsets_and_history()
    {
        var ct = TestTimeouts.Token();
        RoomStreamState before;
        await using (var store = await SqliteChatStreamStore.OpenAsync(File, ct))
        {
            before = await store.OpenStreamAsync("~chat", ct);
            store.Append("~chat", new RoomEntry("alice", "hello", 10, 1), 50);
            store.Append("~chat", new RoomEntry("bob", "hi", 11, 2), 50);
        }

        await using var reopened = await SqliteChatStreamStore.OpenAsync(File, ct);
        var after = await reopened.OpenStreamAsync("~chat", ct);

        Assert.That(reopened.RecoveredFromCrash, Is.False);
        Assert.That(after.Epoch, Is.EqualTo(before.Epoch));
        Assert.That(after.Offset, Is.EqualTo(2));
        Assert.That(after.History, Is.EqualTo(new[] { new RoomEntry("alice", "hello", 10, 1), new RoomEntry("bob", "hi", 11, 2) }));
    }

    [Test]
    public async Task A_file_left_open_by_a_process_that_died_gives_every_stream_a_new_epoch_and_keeps_what_was_written()
    {
        var ct = TestTimeouts.Token();
        // The first store is never closed before the second opens the file: a process that died.
        await using var dead = await SqliteChatStreamStore.OpenAsync(File, ct);
        var chat = await dead.OpenStreamAsync("~chat", ct);
        var room = await dead.OpenStreamAsync("lobby", ct);
        dead.Append("~chat", new RoomEntry("alice", "kept", 10, 1), 50);
        await dead.FlushAsync(ct);

        await using var next = await SqliteChatStreamStore.OpenAsync(File, ct);
        var chatAfter = await next.OpenStreamAsync("~chat", ct);
        var roomAfter = await next.OpenStreamAsync("lobby", ct);

        Assert.That(next.RecoveredFromCrash, Is.True);
        Assert.That(chatAfter.Epoch, Is.Not.EqualTo(chat.Epoch));
        Assert.That(roomAfter.Epoch, Is.Not.EqualTo(room.Epoch), "also a stream nothing was written to: the crash may have lost its writes");
        Assert.That(chatAfter.Offset, Is.EqualTo(1));
        Assert.That(chatAfter.History.Select(e => e.Msg), Is.EqualTo(new[] { "kept" }));
    }
}
