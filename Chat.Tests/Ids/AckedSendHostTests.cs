using Fleck.Chat.Tests.Recovery;
using Fleck.Chat.Tests.Support;
using static Fleck.Chat.Tests.Ids.IdHosts;

namespace Fleck.Chat.Tests.Ids;

/// <summary>Acknowledged, idempotent sends against one host process, its streams in memory or in a SQLite file (<c>--store</c>).</summary>
[CancelAfter(90_000)]
[Parallelizable(ParallelScope.All)]
public sealed class AckedSendHostTests
{
    private static async Task<HostProcess> StartAsync(string store, string mode, bool identity, CancellationToken ct, TemporaryFolder folder) =>
        await HostProcess.StartReadyAsync(ct, Args(mode, identity, store == "sqlite" ? ["--store", folder.File("chat.db")] : []));

    private static async Task RunAsync(string store, string mode, bool identity, Func<IdHosts, CancellationToken, Task> scenario)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        using var folder = new TemporaryFolder("fleck-ids-");
        await using var host = await StartAsync(store, mode, identity, ct, folder);
        await scenario(new IdHosts(host, host), ct);
    }

    [TestCase("memory")]
    [TestCase("sqlite")]
    public Task Nick_broadcast_acks_with_the_offset_and_a_resend_anywhere_is_a_duplicate_not_delivered_again(string store) =>
        RunAsync(store, "nick-broadcast", false, IdScenarios.NickBroadcastAcksAndDeduplicatesAsync);

    [TestCase("memory")]
    [TestCase("sqlite")]
    public Task Ids_outside_the_rules_get_invalid_id_and_nothing_is_sent(string store) =>
        RunAsync(store, "nick-broadcast", false, IdScenarios.InvalidIdsAreRefusedAsync);

    [TestCase("memory")]
    [TestCase("sqlite")]
    public Task Rooms_ack_with_room_and_offset_and_a_failed_send_leaves_its_id_free(string store) =>
        RunAsync(store, "rooms", false, IdScenarios.RoomsAckWithRoomAndAFailedSendLeavesTheIdFreeAsync);

    [TestCase("memory")]
    [TestCase("sqlite")]
    public Task Private_without_identity_acks_without_offset_and_keeps_nothing(string store) =>
        RunAsync(store, "private", false, IdScenarios.PrivateWithoutIdentityAcksWithoutOffsetAsync);

    [TestCase("memory")]
    [TestCase("sqlite")]
    public Task The_same_id_from_two_connections_at_once_is_numbered_once_and_the_resend_waits_for_its_ack(string store) =>
        RunAsync(store, "nick-broadcast", true, IdScenarios.TheSameIdAtOnceIsNumberedOnceAsync);

    [Test]
    public async Task A_resend_after_a_restart_with_the_store_is_a_duplicate_with_the_first_offset()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        using var folder = new TemporaryFolder("fleck-ids-");
        long offset;
        await using (var first = await StartAsync("sqlite", "nick-broadcast", false, ct, folder))
        {
            var (alice, _) = await JoinAsync(first, "alice", ct);
            await using var a = alice;
            await RecoveryHost.SayAsync(alice, "before", ct);
            await alice.SendJsonAsync(new { msg = "kept", id = "k-1" }, ct);
            offset = (await alice.ReceiveAckAsync("k-1", ct)).Offset();
            first.Terminate();
            Assert.That(await first.WaitForExitAsync(ct), Is.Zero);
        }
        await using var second = await StartAsync("sqlite", "nick-broadcast", false, ct, folder);
        var (again, _) = await JoinAsync(second, "alice", ct);
        await using var __ = again;
        await again.SendJsonAsync(new { msg = "kept", id = "k-1" }, ct);
        var ack = await again.ReceiveAckAsync("k-1", ct);
        await again.SendJsonAsync(new { msg = "end" }, ct);
        var seen = await again.ReceiveUntilMessageAsync("end", ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ack.Offset(), Is.EqualTo(offset));
            Assert.That(Duplicate(ack), Is.True);
            Assert.That(seen.Count(e => IsEvent(e, "message", "kept")), Is.Zero, "not delivered again");
            Assert.That(seen.Last().Offset(), Is.EqualTo(offset + 1), "not numbered again");
        }
    }

    [Test]
    public async Task Acks_and_duplicates_are_counted_in_the_metrics()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(60));
        await using var host = await HostProcess.StartReadyAsync(ct, Args("nick-broadcast", false));
        var (alice, _) = await JoinAsync(host, "alice", ct);
        await using var a = alice;
        await alice.SendJsonAsync(new { msg = "one", id = "c-1" }, ct);
        await alice.ReceiveAckAsync("c-1", ct);
        await alice.SendJsonAsync(new { msg = "one", id = "c-1" }, ct);
        await alice.ReceiveAckAsync("c-1", ct);
        using var http = new HttpClient();
        var metrics = await PrometheusScrape.GetAsync(http, $"http://127.0.0.1:{host.HttpPort}/metrics", ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(metrics.Value("fleck_chat_acks_total"), Is.EqualTo(2));
            Assert.That(metrics.Value("fleck_chat_duplicates_total"), Is.EqualTo(1));
        }
    }

    [TestCase("memory")]
    [TestCase("sqlite")]
    public async Task Past_the_dedup_window_an_id_is_forgotten_and_the_store_drops_it(string store)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        using var folder = new TemporaryFolder("fleck-ids-");
        var file = folder.File("chat.db");
        await using var host = await HostProcess.StartReadyAsync(ct, Args("nick-broadcast", false,
            [.. store == "sqlite" ? new[] { "--store", file } : [], "--dedup-window", "1s", "--stream-ttl", "2s"]));
        var (alice, _) = await JoinAsync(host, "alice", ct);
        await using var a = alice;
        await alice.SendJsonAsync(new { msg = "once", id = "w-1" }, ct);
        var first = await alice.ReceiveAckAsync("w-1", ct);
        var fresh = alice.ReceiveEventAsync("ack", e => e.Str("id") == "w-1" && !Duplicate(e), ct);
        var again = await Retry.SendUntilArrivedAsync(_ => alice.SendJsonAsync(new { msg = "once", id = "w-1" }, ct), fresh, TimeSpan.FromSeconds(30), ct);
        if (store == "sqlite")
        {
            // Written behind, then pruned by the upkeep once past the window (within a second or two).
            await alice.SendJsonAsync(new { msg = "other", id = "w-2" }, ct);
            await alice.ReceiveAckAsync("w-2", ct);
            while (SendRows(file, "w-2") == 0)
            {
                await Task.Delay(20, ct);
            }
            while (SendRows(file, "w-2") > 0)
            {
                await Task.Delay(100, ct);
            }
        }

        Assert.That(again.Offset(), Is.GreaterThan(first.Offset()), "numbered as a new message");
    }

    private static long SendRows(string file, string id)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM sends WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        return (long)command.ExecuteScalar()!;
    }

    [Test]
    public async Task A_dropped_send_over_the_rate_limit_gets_rate_limited_with_its_id()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(60));
        await using var host = await HostProcess.StartReadyAsync(ct, [.. HostProcess.OnLoopback("nick-broadcast"), "--rate", "1", "--burst", "1"]);
        var (alice, _) = await JoinAsync(host, "alice", ct);
        await using var a = alice;
        await alice.SendJsonAsync(new { msg = "first", id = "f-1" }, ct);
        await alice.SendJsonAsync(new { msg = "second", id = "f-2" }, ct);
        var error = await alice.ReceiveErrorForAsync("f-2", ct);

        Assert.That(error.Str("code"), Is.EqualTo("rate_limited"));
    }

    [TestCase("90s", 90)]
    [TestCase("10m", 600)]
    [TestCase(null, 600)]
    public async Task The_dedup_window_flag_takes_a_duration_and_defaults_to_ten_minutes(string? value, int seconds)
    {
        Fleck.Chat.Host.Cli.HostSettings? settings = null;
        var parsed = Fleck.Chat.Host.Cli.HostCommand.Create((s, _) =>
        {
            settings = s;
            return Task.FromResult(0);
        }).Parse(value is null ? [] : ["--dedup-window", value]);

        Assert.That(parsed.Errors, Is.Empty);
        Assert.That(await parsed.InvokeAsync(), Is.Zero);
        Assert.That(settings!.DedupWindow, Is.EqualTo(TimeSpan.FromSeconds(seconds)));
    }

    [Test]
    public void A_dedup_window_without_a_unit_is_refused()
    {
        var parsed = Fleck.Chat.Host.Cli.HostCommand.Create((_, _) => Task.FromResult(0)).Parse(["--dedup-window", "soon"]);

        Assert.That(parsed.Errors, Is.Not.Empty);
    }
}
