using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using System.Text.Json;
using Fleck.Chat.Host;
using Fleck.Chat.Host.Cli;
using Fleck.Chat.Modes;
using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;
using Fleck.Chat.Sqlite;
using Fleck.Chat.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Tests.Recovery;

/// <summary>
/// The SQLite store when the disk fails or falls behind: the chat keeps delivering, the failure is
/// logged once, counted on the meter and shown on <c>/healthz</c>, and the next start renews epochs.
/// A full disk is made by capping the file at its current size (SQLite then fails writes that need a page).
/// </summary>
[CancelAfter(60_000)]
public sealed class StoreFailureTests
{
    private static readonly string Big = new('x', 6000); // more than a page: every append needs new pages

    private TemporaryFolder _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = new TemporaryFolder("fleck-chat-store-failure-");

    [TearDown]
    public void DeleteFolder() => _folder.Dispose();

    private string File => _folder.File("chat.db");

    [Test]
    public async Task A_store_that_cannot_write_logs_once_counts_every_lost_message_and_the_chat_keeps_delivering()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(40));
        var logs = new CollectingLoggerFactory();
        var store = await SqliteChatStreamStore.OpenAsync(File, logs, ct);
        using var meters = new RecordingMeterFactory();
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode(),
            new ChatServerOptions { Backplane = new InMemoryBackplane(store), MeterFactory = meters, MessagesPerSecond = 0 });
        var alice = await chat.JoinAsync("alice", ct);
        var bob = await chat.JoinAsync("bob", ct);
        Assert.That(meters.ReadObservable("fleck.chat.store.errors"), Is.Zero, "reported from the start");

        store.LimitToCurrentSize();
        for (var i = 1; i <= 5; i++)
        {
            await alice.SendJsonAsync(new { msg = $"{Big} {i}" }, ct);
            var delivered = await bob.ReceiveEventAsync("message", ct);
            Assert.That(delivered.GetProperty("msg").GetString(), Is.EqualTo($"{Big} {i}"));
        }
        await Assert.ThrowsAsync<IOException>(async () => await store.FlushAsync(ct));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(store.IsFailing, Is.True);
            Assert.That(meters.ReadObservable("fleck.chat.store.errors"), Is.EqualTo(store.ErrorCount).And.GreaterThan(0));
            Assert.That(logs.Lines.Where(l => l.Text.Contains("cannot write")).Select(l => l.Level), Is.EqualTo(new[] { LogLevel.Error }), "one line, not one per batch");
        }

        store.LiftSizeLimit();
        await alice.SendJsonAsync(new { msg = "room again" }, ct);
        await bob.ReceiveEventAsync("message", ct);
        await store.FlushAsync(ct);
        Assert.That(store.IsFailing, Is.False, "the writer tries again with the next batch");
        Assert.That(logs.Lines.Count(l => l.Text.Contains("writes again")), Is.EqualTo(1));
    }

    [Test]
    public async Task After_a_failed_write_the_file_is_not_marked_clean_so_the_next_open_renews_epochs_and_keeps_no_hole()
    {
        var ct = TestTimeouts.Token();
        string epoch;
        await using (var store = await SqliteChatStreamStore.OpenAsync(File, ct))
        {
            epoch = (await store.OpenStreamAsync("~chat", ct)).Epoch;
            store.Append("~chat", new RoomEntry("alice", "kept", 1, 1), 50);
            await store.FlushAsync(ct);
            store.LimitToCurrentSize();
            store.Append("~chat", new RoomEntry("alice", Big, 2, 2), 50);
            await Assert.ThrowsAsync<IOException>(async () => await store.FlushAsync(ct));
            store.LiftSizeLimit();
            store.Append("~chat", new RoomEntry("alice", "after", 3, 3), 50);
            await store.FlushAsync(ct);
        }

        await using var next = await SqliteChatStreamStore.OpenAsync(File, ct);
        var state = await next.OpenStreamAsync("~chat", ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(next.RecoveredFromCrash, Is.True);
            Assert.That(state.Epoch, Is.Not.EqualTo(epoch));
            Assert.That(state.Offset, Is.EqualTo(3));
            Assert.That(state.History.Select(e => e.Msg), Is.EqualTo(new[] { "after" }), "only the run after the lost message");
        }
    }

    [Test]
    public async Task A_full_queue_drops_and_counts_appends_without_waiting_and_the_next_open_renews_epochs()
    {
        var ct = TestTimeouts.Token();
        var logs = new CollectingLoggerFactory();
        string epoch;
        await using (var store = await SqliteChatStreamStore.OpenAsync(File, logs, queueCapacity: 4, ct))
        {
            epoch = (await store.OpenStreamAsync("~chat", ct)).Epoch;
            // The writer is held on the database lock, so at most one batch leaves the queue while it fills.
            long offset = 0;
            using (store.HoldWriter())
            {
                while (store.ErrorCount < 10)
                {
                    store.Append("~chat", new RoomEntry("alice", "m", 1, ++offset), 50);
                }
            }
            await store.FlushAsync(ct);
            Assert.That(store.ErrorCount, Is.GreaterThanOrEqualTo(10));
            Assert.That(logs.Lines.Count(l => l.Text.Contains("queue of 4 messages is full")), Is.EqualTo(1), "logged once per period");
        }

        await using var next = await SqliteChatStreamStore.OpenAsync(File, ct);
        Assert.That(next.RecoveredFromCrash, Is.True);
        Assert.That((await next.OpenStreamAsync("~chat", ct)).Epoch, Is.Not.EqualTo(epoch));
    }

    [Test]
    public async Task Healthz_says_degraded_while_the_store_cannot_write_and_ok_once_it_writes_again()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(40));
        var store = await SqliteChatStreamStore.OpenAsync(File, ct);
        var settings = new HostSettings { Mode = "nick-broadcast", WebSocketPort = 0, HttpPort = 0, StaticFolder = StaticFolder.Resolve(null)!, Rate = 0 };
        await using var host = await HostedChat.StartAsync(settings, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, null, new InMemoryBackplane(store), ct);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.HttpPort}/") };
        async Task<string> StatusAsync()
        {
            using var response = await http.GetAsync("healthz", ct);
            Assert.That((int)response.StatusCode, Is.EqualTo(200));
            return (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("status").GetString()!;
        }
        await using var alice = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/alice", ct);
        await alice.ReceiveEventAsync("users", ct);
        Assert.That(await StatusAsync(), Is.EqualTo("ok"));

        store.LimitToCurrentSize();
        await alice.SendJsonAsync(new { msg = Big }, ct);
        await alice.ReceiveEventAsync("message", ct);
        await Assert.ThrowsAsync<IOException>(async () => await store.FlushAsync(ct));
        Assert.That(await StatusAsync(), Is.EqualTo("degraded"));

        store.LiftSizeLimit();
        await alice.SendJsonAsync(new { msg = "again" }, ct);
        await alice.ReceiveEventAsync("message", ct);
        await store.FlushAsync(ct);
        Assert.That(await StatusAsync(), Is.EqualTo("ok"));
    }
}
