using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Recovery;

/// <summary>
/// The host with <c>--store &lt;file&gt;</c>: history, offsets and epochs survive a clean restart;
/// after a kill -9 the epoch changes, so nobody is told a lost message was recovered.
/// </summary>
[CancelAfter(120_000)]
[Parallelizable(ParallelScope.Self)]
public sealed class StoreRestartHostTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("fleck-chat-store-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private string StoreFile => Path.Combine(_folder, "chat.db");

    /// <summary>
    /// Alice says m1, m2 and m3 on a host with the store, then <paramref name="stop"/> ends that host
    /// (its exit awaited); returns the epoch she was given.
    /// </summary>
    private async Task<string> SayThreeThenStopAsync(Func<HostProcess, Task> stop, CancellationToken ct)
    {
        await using var first = await RecoveryHost.StartAsync(ct, "--store", StoreFile);
        var (alice, users) = await RecoveryHost.JoinAsync(first, "alice", ct);
        await using var _ = alice;
        for (var i = 1; i <= 3; i++)
        {
            await RecoveryHost.SayAsync(alice, $"m{i}", ct);
        }
        await stop(first);
        return users.GetProperty("epoch").GetString()!;
    }

    [Test]
    public async Task After_a_clean_restart_the_epoch_is_kept_offsets_continue_and_a_client_resumes()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(90));
        var epoch = await SayThreeThenStopAsync(async first =>
        {
            first.Terminate();
            Assert.That(await first.WaitForExitAsync(ct), Is.Zero);
        }, ct);

        await using var second = await RecoveryHost.StartAsync(ct, "--store", StoreFile);
        var (bob, bobUsers) = await RecoveryHost.JoinAsync(second, "bob", ct, $"?since=1&epoch={epoch}");
        await using var __ = bob;
        var welcome = await bob.ReceiveEventsUntilAsync(e => e.GetProperty("type").GetString() == "recovered", ct);
        var (carol, _) = await RecoveryHost.JoinAsync(second, "carol", ct);
        await using var ___ = carol;
        var next = await RecoveryHost.SayAsync(carol, "after the restart", ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(bobUsers.GetProperty("epoch").GetString(), Is.EqualTo(epoch));
            Assert.That(bobUsers.GetProperty("offset").GetInt64(), Is.EqualTo(3));
            Assert.That(welcome.Select(RecoveryHost.Summary), Is.EqualTo(new[] { "history:2:m2", "history:3:m3", "recovered:true:2" }));
            Assert.That(next, Is.EqualTo(4));
        }
    }

    [Test]
    public async Task After_a_kill_9_the_epoch_changes_and_a_resume_gets_the_kept_history_and_recovered_false()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(90));
        var epoch = await SayThreeThenStopAsync(async first =>
        {
            first.KillHard();
            await first.WaitForExitAsync(ct);
        }, ct);

        await using var second = await RecoveryHost.StartAsync(ct, "--store", StoreFile);
        var (bob, users2) = await RecoveryHost.JoinAsync(second, "bob", ct, $"?since=3&epoch={epoch}");
        await using var __ = bob;
        var welcome = await bob.ReceiveEventsUntilAsync(e => e.GetProperty("type").GetString() == "recovered", ct);
        var kept = users2.GetProperty("offset").GetInt64();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(users2.GetProperty("epoch").GetString(), Is.Not.EqualTo(epoch), "the last process died with writes in flight");
            Assert.That(kept, Is.InRange(0, 3), "offsets continue from what was written");
            Assert.That(welcome.Select(RecoveryHost.Summary).Last(), Is.EqualTo("recovered:false"));
            Assert.That(welcome.Where(e => e.GetProperty("type").GetString() == "history").Select(ResumingReader.OffsetOf),
                Is.EqualTo(Enumerable.Range(1, (int)kept).Select(i => (long)i)), "the history that was written is still served");
        }
    }

    [Test]
    public async Task A_store_file_that_cannot_be_opened_is_one_error_line_and_exit_code_1()
    {
        var ct = TestTimeouts.Token();
        var unreachable = Path.Combine(_folder, "no-such-folder", "chat.db");
        await using var host = HostProcess.Start([.. HostProcess.OnLoopback("nick-broadcast"), "--store", unreachable]);

        var code = await host.WaitForExitAsync(ct);

        Assert.That(code, Is.EqualTo(1));
        Assert.That(host.Stderr.Trim(), Does.StartWith($"error: cannot open the store {unreachable}: "));
        Assert.That(host.Stderr.Trim().Split('\n'), Has.Length.EqualTo(1), "no stack trace");
    }

    [Test]
    public async Task Store_together_with_redis_is_refused_with_one_error_line_and_exit_code_1()
    {
        var ct = TestTimeouts.Token();
        await using var host = HostProcess.Start("--mode", "nick-broadcast", "--store", StoreFile, "--redis", "127.0.0.1:1");

        var code = await host.WaitForExitAsync(ct);

        Assert.That(code, Is.EqualTo(1));
        Assert.That(host.Stderr.Trim(), Does.StartWith("error: --store and --redis cannot be used together"));
        Assert.That(host.Stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(File.Exists(StoreFile), Is.False, "nothing was opened");
    }

    [TestCase("--jwt-secret", "short")]
    [TestCase("--jwt-public-key", "no-such-key.pem")]
    [TestCase("--http-port", "busy")]
    public async Task A_start_that_fails_after_the_store_was_opened_closes_it_cleanly_so_the_next_start_keeps_the_epoch(string flag, string value)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(90));
        var epoch = await SayThreeThenStopAsync(async first =>
        {
            first.Terminate();
            Assert.That(await first.WaitForExitAsync(ct), Is.Zero);
        }, ct);

        using var busy = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        busy.Start();
        value = value switch
        {
            "busy" => ((System.Net.IPEndPoint)busy.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "no-such-key.pem" => Path.Combine(_folder, value),
            _ => value,
        };
        string[] args = flag == "--http-port"
            ? ["--mode", "nick-broadcast", "--host", "127.0.0.1", "--port", "0", "--http-port", value, "--store", StoreFile]
            : [.. HostProcess.OnLoopback("nick-broadcast"), "--store", StoreFile, flag, value];
        await using (var failed = HostProcess.Start(args))
        {
            var code = await failed.WaitForExitAsync(ct);
            failed.Process.WaitForExit(); // drains the redirected output
            Assert.That(code, Is.EqualTo(1));
            Assert.That(failed.Stderr.Trim().Split('\n'), Has.Length.EqualTo(1), "one line: " + failed.Stderr);
            Assert.That(failed.Stderr, Does.StartWith("error: "));
        }

        await using var next = await RecoveryHost.StartAsync(ct, "--store", StoreFile);
        var (bob, users) = await RecoveryHost.JoinAsync(next, "bob", ct, $"?since=1&epoch={epoch}");
        await using var _ = bob;
        var welcome = await bob.ReceiveEventsUntilAsync(e => e.GetProperty("type").GetString() == "recovered", ct);
        next.Terminate();
        await next.WaitForExitAsync(ct);
        next.Process.WaitForExit();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(users.GetProperty("epoch").GetString(), Is.EqualTo(epoch));
            Assert.That(welcome.Select(RecoveryHost.Summary).Last(), Is.EqualTo("recovered:true:2"));
            Assert.That(next.Stdout + next.AllStderr, Does.Not.Contain("was not closed cleanly"));
        }
    }

    [Test]
    public async Task With_a_store_the_metrics_report_its_errors_from_the_start_at_0_and_healthz_says_ok()
    {
        var ct = TestTimeouts.Token();
        await using var host = await RecoveryHost.StartAsync(ct, "--store", StoreFile);
        using var http = new HttpClient();

        var scrape = await PrometheusScrape.GetAsync(http, $"http://127.0.0.1:{host.HttpPort}/metrics", ct);
        var health = await http.GetStringAsync($"http://127.0.0.1:{host.HttpPort}/healthz", ct);

        Assert.That(scrape.Value("fleck_chat_store_errors_total"), Is.Zero);
        Assert.That(health, Does.Contain("\"status\":\"ok\""));
    }
}
