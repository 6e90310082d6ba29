using System.Net;
using System.Net.WebSockets;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Host.Api;

/// <summary>What each endpoint of the server API does, as real WebSocket clients of the real host see it.</summary>
[CancelAfter(60_000)]
[Parallelizable(ParallelScope.All)]
public sealed class ApiEndpointTests
{
    [Test]
    public async Task Publish_in_nick_broadcast_is_a_message_from_server_for_everyone_and_in_the_history()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await ApiHost.StartAsync("nick-broadcast", ct);
        await using var alice = await ApiHost.JoinAsync(host, "alice", ct);
        using var api = new ApiClient(host.HttpPort, ApiHost.Key);

        var answer = await api.PostJsonAsync("/api/publish", new { msg = "maintenance at noon" }, ct);
        var live = await alice.ReceiveEventAsync("message", ct);
        await using var bob = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/bob", ct);
        await bob.ReceiveEventAsync("users", ct);
        var history = await bob.ReceiveEventAsync("history", ct);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(answer.ContentHeaders.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That(answer.Body, Is.EqualTo("{\"ok\":true,\"offset\":1}"), "nick-broadcast numbers the server's message like any other");
        Assert.That(live.GetProperty("name").GetString(), Is.EqualTo("server"));
        Assert.That(live.GetProperty("msg").GetString(), Is.EqualTo("maintenance at noon"));
        Assert.That(live.GetProperty("ts").GetInt64(), Is.Positive);
        Assert.That(history.GetProperty("name").GetString(), Is.EqualTo("server"));
        Assert.That(history.GetProperty("msg").GetString(), Is.EqualTo("maintenance at noon"));
    }

    [Test]
    public async Task Publish_in_broadcast_mode_relays_the_raw_text_to_everyone()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await ApiHost.StartAsync("broadcast", ct);
        await using var one = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket", ct);
        await using var two = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket", ct);
        using var api = new ApiClient(host.HttpPort, ApiHost.Key);
        await WaitForConnectionsAsync(host, 2, ct);

        var answer = await api.PostJsonAsync("/api/publish", new { msg = "plain words, {not json}" }, ct);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await one.ReceiveTextAsync(ct), Is.EqualTo("plain words, {not json}"));
        Assert.That(await two.ReceiveTextAsync(ct), Is.EqualTo("plain words, {not json}"));
    }

    [Test]
    public async Task Publish_in_private_mode_is_a_message_event_from_server_for_everyone()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await ApiHost.StartAsync("private", ct);
        await using var alice = await ApiHost.JoinAsync(host, "alice", ct);
        await using var bob = await ApiHost.JoinAsync(host, "bob", ct);
        using var api = new ApiClient(host.HttpPort, ApiHost.Key);

        var answer = await api.PostJsonAsync("/api/publish", new { msg = "announcement" }, ct);
        var atAlice = await alice.ReceiveEventAsync("message", ct);
        var atBob = await bob.ReceiveEventAsync("message", ct);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(atAlice.GetProperty("name").GetString(), Is.EqualTo("server"));
        Assert.That(atAlice.GetProperty("msg").GetString(), Is.EqualTo("announcement"));
        Assert.That(atBob.GetProperty("msg").GetString(), Is.EqualTo("announcement"));
    }

    [Test]
    public async Task Send_reaches_the_target_as_a_private_event_from_server_and_nobody_else()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await ApiHost.StartAsync("private", ct);
        await using var alice = await ApiHost.JoinAsync(host, "alice", ct);
        await using var bob = await ApiHost.JoinAsync(host, "bob", ct);
        using var api = new ApiClient(host.HttpPort, ApiHost.Key);

        var answer = await api.PostJsonAsync("/api/send", new { to = "BOB", msg = "for bob only" }, ct);
        var atBob = await bob.ReceiveEventAsync("private", ct);
        await api.PostJsonAsync("/api/send", new { to = "alice", msg = "marker" }, ct);
        var atAlice = await alice.ReceiveEventAsync("private", ct);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(answer.Body, Is.EqualTo("{\"ok\":true}"));
        Assert.That(atBob.GetProperty("name").GetString(), Is.EqualTo("server"));
        Assert.That(atBob.GetProperty("msg").GetString(), Is.EqualTo("for bob only"));
        Assert.That(atBob.GetProperty("to_client").GetString(), Is.EqualTo("BOB"));
        Assert.That(atBob.GetProperty("ts").GetInt64(), Is.Positive);
        Assert.That(atAlice.GetProperty("msg").GetString(), Is.EqualTo("marker"), "alice got nothing before the marker");
    }

    [TestCase("nick-broadcast")]
    [TestCase("private")]
    [TestCase("broadcast")]
    public async Task Send_to_someone_not_online_gets_404_offline_target(string mode)
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await ApiHost.StartAsync(mode, ct);
        using var api = new ApiClient(host.HttpPort, ApiHost.Key);

        var answer = await api.PostJsonAsync("/api/send", new { to = "nobody", msg = "hello?" }, ct);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(answer.Error, Is.EqualTo("offline_target"));
    }

    [Test]
    public async Task Disconnect_closes_the_user_with_4004_the_others_see_them_leave_and_a_repeat_is_still_200()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await ApiHost.StartAsync("nick-broadcast", ct);
        await using var alice = await ApiHost.JoinAsync(host, "alice", ct);
        await using var bob = await ApiHost.JoinAsync(host, "bob", ct);
        using var api = new ApiClient(host.HttpPort, ApiHost.Key);

        var answer = await api.PostJsonAsync("/api/disconnect", new { user = "Bob" }, ct);
        await bob.Closed.Task.WaitAsync(ct);
        var leave = await alice.ReceiveEventAsync("leave", ct);
        var again = await api.PostJsonAsync("/api/disconnect", new { user = "bob" }, ct);
        var presence = await api.GetAsync("/api/presence", ct);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(answer.Body, Is.EqualTo("{\"ok\":true}"));
        Assert.That((int?)bob.CloseStatus, Is.EqualTo(4004));
        Assert.That(leave.GetProperty("user").GetString(), Is.EqualTo("bob"));
        Assert.That(alice.State, Is.EqualTo(WebSocketState.Open));
        Assert.That(again.Status, Is.EqualTo(HttpStatusCode.OK), "disconnecting someone who is not online is not an error");
        Assert.That(presence.Json!.Value.GetProperty("users").EnumerateArray().Select(u => u.GetString()), Is.EqualTo(new[] { "alice" }));
    }

    [Test]
    public async Task Presence_lists_everyone_online_once_sorted()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await ApiHost.StartAsync("private", ct);
        using var api = new ApiClient(host.HttpPort, ApiHost.Key);
        var empty = await api.GetAsync("/api/presence", ct);
        await using var carol = await ApiHost.JoinAsync(host, "carol", ct);
        await using var alice = await ApiHost.JoinAsync(host, "Alice", ct);
        await using var bob = await ApiHost.JoinAsync(host, "bob", ct);

        var answer = await api.GetAsync("/api/presence", ct);

        Assert.That(empty.Body, Is.EqualTo("{\"users\":[]}"));
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(answer.ContentHeaders.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That(answer.Json!.Value.GetProperty("users").EnumerateArray().Select(u => u.GetString()), Is.EqualTo(new[] { "Alice", "bob", "carol" }));
    }

    /// <summary>Broadcast mode has no login event to wait for: the health page says when both clients are members.</summary>
    private static async Task WaitForConnectionsAsync(HostProcess host, int members, CancellationToken ct)
    {
        using var http = new HttpClient();
        while (true)
        {
            var health = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{host.HttpPort}/healthz", ct)).RootElement;
            if (health.GetProperty("members").GetInt32() >= members)
            {
                return;
            }
            await Task.Delay(50, ct);
        }
    }
}
