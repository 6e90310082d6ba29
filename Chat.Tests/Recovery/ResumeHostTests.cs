using System.Net;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Recovery;

/// <summary>
/// Resuming nick-broadcast against the real host with the history in memory: a client that comes
/// back with <c>?since=&amp;epoch=</c> gets exactly what it missed, or is told it cannot.
/// </summary>
[CancelAfter(90_000)]
[Parallelizable(ParallelScope.Self)]
public sealed class ResumeHostTests
{
    [Test]
    public async Task A_client_that_resumes_gets_exactly_the_messages_it_missed_then_recovered_then_live_messages()
    {
        var ct = TestTimeouts.Token();
        await using var host = await RecoveryHost.StartAsync(ct);
        var (alice, aliceUsers) = await RecoveryHost.JoinAsync(host, "alice", ct);
        await using var _ = alice;
        var epoch = aliceUsers.GetProperty("epoch").GetString()!;
        Assert.That(await RecoveryHost.SayAsync(alice, "one", ct), Is.EqualTo(1));
        Assert.That(await RecoveryHost.SayAsync(alice, "two", ct), Is.EqualTo(2));
        Assert.That(await RecoveryHost.SayAsync(alice, "three", ct), Is.EqualTo(3));

        var (bob, bobUsers) = await RecoveryHost.JoinAsync(host, "bob", ct, $"?since=1&epoch={epoch}");
        await using var __ = bob;
        var welcome = await bob.ReceiveEventsUntilAsync(e => e.GetProperty("type").GetString() == "recovered", ct);
        await RecoveryHost.SayAsync(alice, "four", ct);
        var live = await bob.ReceiveEventAsync("message", ct);

        using var http = new HttpClient();
        var metrics = await PrometheusScrape.GetAsync(http, $"http://127.0.0.1:{host.HttpPort}/metrics", ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(aliceUsers.GetProperty("offset").GetInt64(), Is.Zero, "a new stream has sent nothing yet");
            Assert.That(bobUsers.GetProperty("epoch").GetString(), Is.EqualTo(epoch));
            Assert.That(bobUsers.GetProperty("offset").GetInt64(), Is.EqualTo(3));
            Assert.That(welcome.Select(RecoveryHost.Summary), Is.EqualTo(new[] { "history:2:two", "history:3:three", "recovered:true:2" }));
            Assert.That(welcome.All(e => e.TryGetProperty("name", out var n) && e.TryGetProperty("msg", out var m) && e.TryGetProperty("ts", out var t)), "every event has name, msg and ts");
            Assert.That(RecoveryHost.Summary(live), Is.EqualTo("message:4:four"));
            Assert.That(metrics.Value("fleck_chat_resumes_total", "outcome=\"recovered\""), Is.EqualTo(1));
            Assert.That(metrics.Value("fleck_chat_resumes_total", "outcome=\"unrecovered\""), Is.Zero);
        }
    }

    [Test]
    public async Task A_client_resuming_with_another_epoch_gets_the_recent_history_and_recovered_false()
    {
        var ct = TestTimeouts.Token();
        await using var host = await RecoveryHost.StartAsync(ct);
        var (alice, _) = await RecoveryHost.JoinAsync(host, "alice", ct);
        await using var _ = alice;
        await RecoveryHost.SayAsync(alice, "one", ct);
        await RecoveryHost.SayAsync(alice, "two", ct);

        var (bob, _) = await RecoveryHost.JoinAsync(host, "bob", ct, "?since=1&epoch=0123456789abcdef");
        await using var __ = bob;
        var welcome = await bob.ReceiveEventsUntilAsync(e => e.GetProperty("type").GetString() == "recovered", ct);

        using var http = new HttpClient();
        var metrics = await PrometheusScrape.GetAsync(http, $"http://127.0.0.1:{host.HttpPort}/metrics", ct);
        Assert.That(welcome.Select(RecoveryHost.Summary), Is.EqualTo(new[] { "history:1:one", "history:2:two", "recovered:false" }));
        Assert.That(metrics.Value("fleck_chat_resumes_total", "outcome=\"unrecovered\""), Is.EqualTo(1));
    }

    [Test]
    public async Task A_client_that_missed_more_than_is_kept_gets_the_recent_history_and_recovered_false()
    {
        var ct = TestTimeouts.Token();
        await using var host = await RecoveryHost.StartAsync(ct, "--history", "2", "--retain", "2");
        var (alice, users) = await RecoveryHost.JoinAsync(host, "alice", ct);
        await using var _ = alice;
        var epoch = users.GetProperty("epoch").GetString();
        for (var i = 1; i <= 4; i++)
        {
            await RecoveryHost.SayAsync(alice, $"m{i}", ct);
        }

        var (late, _) = await RecoveryHost.JoinAsync(host, "late", ct, $"?since=1&epoch={epoch}");
        await using var __ = late;
        var welcome = await late.ReceiveEventsUntilAsync(e => e.GetProperty("type").GetString() == "recovered", ct);
        var (onTime, _) = await RecoveryHost.JoinAsync(host, "ontime", ct, $"?since=2&epoch={epoch}");
        await using var ___ = onTime;
        var resumed = await onTime.ReceiveEventsUntilAsync(e => e.GetProperty("type").GetString() == "recovered", ct);

        Assert.That(welcome.Select(RecoveryHost.Summary), Is.EqualTo(new[] { "history:3:m3", "history:4:m4", "recovered:false" }), "2 and 3 were missed, only 3 is kept");
        Assert.That(resumed.Select(RecoveryHost.Summary), Is.EqualTo(new[] { "history:3:m3", "history:4:m4", "recovered:true:2" }), "exactly the kept ones were missed");
    }

    [Test]
    public async Task Without_since_a_joiner_gets_the_usual_history_with_offsets_and_no_recovered_event()
    {
        var ct = TestTimeouts.Token();
        await using var host = await RecoveryHost.StartAsync(ct);
        var (alice, _) = await RecoveryHost.JoinAsync(host, "alice", ct);
        await using var _ = alice;
        await RecoveryHost.SayAsync(alice, "one", ct);

        var (bob, users) = await RecoveryHost.JoinAsync(host, "bob", ct, "?epoch=ignored-without-since");
        await using var __ = bob;
        await RecoveryHost.SayAsync(alice, "marker", ct);
        var events = await bob.ReceiveEventsUntilAsync(e => RecoveryHost.IsMessage(e, "marker"), ct);

        Assert.That(users.GetProperty("offset").GetInt64(), Is.EqualTo(1));
        Assert.That(events.Select(RecoveryHost.Summary), Is.EqualTo(new[] { "history:1:one", "message:2:marker" }));
    }

    [Test]
    public async Task The_api_publish_answers_the_offset_of_the_server_message_which_is_numbered_like_any_other()
    {
        var ct = TestTimeouts.Token();
        await using var host = await RecoveryHost.StartAsync(ct, "--api-key", "resume-tests-api-key");
        var (alice, _) = await RecoveryHost.JoinAsync(host, "alice", ct);
        await using var _ = alice;
        await RecoveryHost.SayAsync(alice, "one", ct);
        using var api = new ApiClient(host.HttpPort, "resume-tests-api-key");

        var answer = await api.PostJsonAsync("/api/publish", new { msg = "from the operator" }, ct);
        var published = await alice.ReceiveEventAsync("message", ct);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(answer.Body, Is.EqualTo("""{"ok":true,"offset":2}"""));
        Assert.That(published.GetProperty("name").GetString(), Is.EqualTo("server"));
        Assert.That(RecoveryHost.Summary(published), Is.EqualTo("message:2:from the operator"));
    }
}
