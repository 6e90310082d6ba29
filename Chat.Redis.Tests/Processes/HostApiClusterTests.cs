using System.Net;
using System.Net.WebSockets;
using Fleck.Chat.Redis.Tests.Support;

namespace Fleck.Chat.Redis.Tests.Processes;

/// <summary>
/// The server API of one host process acts on the whole chat: two hosts started with
/// <c>--redis</c> and <c>--api-key</c> on one redis-server, the API called on node A, its effect
/// seen by clients of node B. The tests share the cluster and run one after another, each with
/// nicknames of its own.
/// </summary>
[CancelAfter(60_000)]
public sealed class HostApiClusterTests
{
    private const string Key = "cluster-api-key-5d21";
    private HostCluster? _cluster;

    private HostProcess A => _cluster!.Hosts[0];

    private HostProcess B => _cluster!.Hosts[1];

    [OneTimeSetUp]
    public async Task StartClusterAsync() =>
        _cluster = await HostCluster.StartAsync(2, "nick-broadcast", new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token, "--api-key", Key);

    [OneTimeTearDown]
    public async Task StopClusterAsync() => await (_cluster?.DisposeAsync() ?? ValueTask.CompletedTask);

    private static async Task<TypedClient> JoinAsync(HostProcess node, string nick, CancellationToken ct)
    {
        var client = await TypedClient.ConnectAsync(node.WebSocketPort, "/websocket/" + nick, ct);
        await client.ReceiveEventAsync("users", ct);
        return client;
    }

    [Test]
    public async Task Publish_on_one_node_reaches_a_client_of_the_other_as_a_message_from_server()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var bob = await JoinAsync(B, "publish-bob", ct);
        using var api = new ApiClient(A.HttpPort, Key);

        var answer = await api.PostJsonAsync("/api/publish", new { msg = "from node A" }, ct);
        var heard = await bob.ReceiveEventAsync("message", ct);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(heard.GetProperty("name").GetString(), Is.EqualTo("server"));
        Assert.That(heard.GetProperty("msg").GetString(), Is.EqualTo("from node A"));
    }

    [Test]
    public async Task Send_on_one_node_reaches_the_user_on_the_other_and_nobody_else()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var bob = await JoinAsync(B, "send-bob", ct);
        await using var carol = await JoinAsync(B, "send-carol", ct);
        using var api = new ApiClient(A.HttpPort, Key);

        var answer = await api.PostJsonAsync("/api/send", new { to = "send-bob", msg = "across nodes" }, ct);
        var received = await bob.ReceiveEventAsync("private", ct);
        await api.PostJsonAsync("/api/send", new { to = "send-carol", msg = "marker" }, ct);
        var atCarol = await carol.ReceiveEventAsync("private", ct);
        var offline = await api.PostJsonAsync("/api/send", new { to = "send-nobody", msg = "?" }, ct);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(received.GetProperty("name").GetString(), Is.EqualTo("server"));
        Assert.That(received.GetProperty("msg").GetString(), Is.EqualTo("across nodes"));
        Assert.That(atCarol.GetProperty("msg").GetString(), Is.EqualTo("marker"), "carol got nothing before the marker");
        Assert.That(offline.Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(offline.Error, Is.EqualTo("offline_target"));
    }

    [Test]
    public async Task Disconnect_on_one_node_closes_the_user_on_the_other_with_4004()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var alice = await JoinAsync(A, "disconnect-alice", ct);
        await using var bob = await JoinAsync(B, "disconnect-bob", ct);
        await alice.ReceiveEventAsync("join", ct);
        using var api = new ApiClient(A.HttpPort, Key);

        var answer = await api.PostJsonAsync("/api/disconnect", new { user = "DISCONNECT-BOB" }, ct);
        await bob.Closed.Task.WaitAsync(ct);
        var leave = await alice.ReceiveEventAsync("leave", ct);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((int?)bob.CloseStatus, Is.EqualTo(4004));
        Assert.That(leave.GetProperty("user").GetString(), Is.EqualTo("disconnect-bob"));
        Assert.That(alice.State, Is.EqualTo(WebSocketState.Open));
    }

    [Test]
    public async Task Presence_on_one_node_lists_the_users_of_both()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var alice = await JoinAsync(A, "presence-alice", ct);
        await using var bob = await JoinAsync(B, "presence-bob", ct);
        using var api = new ApiClient(A.HttpPort, Key);

        var answer = await api.GetAsync("/api/presence", ct);
        var users = answer.Json!.Value.GetProperty("users").EnumerateArray().Select(u => u.GetString()).ToArray();

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(users, Does.Contain("presence-alice").And.Contain("presence-bob"));
    }
}
