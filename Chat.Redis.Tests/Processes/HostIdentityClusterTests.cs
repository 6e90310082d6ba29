using System.Net;
using System.Text.Json;
using Fleck.Chat.Redis.Tests.Support;
using Fleck.Chat.Tests.Identity;

namespace Fleck.Chat.Redis.Tests.Processes;

/// <summary>
/// Identified users across host processes: two Chat.Host processes started with
/// <c>--jwt-secret</c>, <c>--redis</c> (one redis-server) and <c>--api-key</c>, one user with
/// connections on both. The tests share the cluster and run one after another, each with users of its own.
/// </summary>
[CancelAfter(90_000)]
public sealed class HostIdentityClusterTests
{
    private const string Key = "identity-cluster-key-91c4";
    private HostCluster? _cluster;

    private HostProcess A => _cluster!.Hosts[0];

    private HostProcess B => _cluster!.Hosts[1];

    [OneTimeSetUp]
    public async Task StartClusterAsync() =>
        _cluster = await HostCluster.StartAsync(2, "private", new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token, "--jwt-secret", Tokens.Secret, "--api-key", Key);

    [OneTimeTearDown]
    public async Task StopClusterAsync() => await (_cluster?.DisposeAsync() ?? ValueTask.CompletedTask);

    /// <summary>
    /// A message from <c>server</c> published on host A: it reaches <paramref name="watcher"/> through
    /// Redis behind everything host A published to all before it, so it closes a negative check.
    /// </summary>
    private static async Task<List<JsonElement>> MarkerFromAAsync(ApiClient apiOnA, TypedClient watcher, string marker, CancellationToken ct)
    {
        var answer = await apiOnA.PostJsonAsync("/api/publish", new { msg = marker }, ct);
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK));
        return await watcher.ReceiveEventsUntilAsync(e => Type(e) == "message" && e.GetProperty("msg").GetString() == marker, ct);
    }

    [Test]
    public async Task A_user_with_connections_on_both_hosts_is_listed_once_joins_once_gets_private_messages_on_each_and_leaves_after_the_last()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        using var apiA = new ApiClient(A.HttpPort, Key);
        using var apiB = new ApiClient(B.HttpPort, Key);
        await using var bob = await TypedClient.ConnectSignedInAsync(B.WebSocketPort, Tokens.For("bob1"), ct);
        await using var first = await TypedClient.ConnectSignedInAsync(A.WebSocketPort, Tokens.For("alice1"), ct);
        var join = await bob.ReceiveEventAsync("join", ct);
        await using var second = await TypedClient.ConnectSignedInAsync(A.WebSocketPort, Tokens.For("alice1"), ct);
        await using var third = await TypedClient.ConnectSignedInAsync(B.WebSocketPort, Tokens.For("alice1"), ct);
        // Each connection's message follows whatever its host announced for it; the marker from A
        // follows, on the broadcast channel, any join A published.
        foreach (var (connection, name) in new[] { (first, "first"), (second, "second"), (third, "third") })
        {
            await connection.SendJsonAsync(new { to_client = "bob1", msg = name }, ct);
        }
        var untilPrivates = new List<JsonElement>();
        while (untilPrivates.Count(e => Type(e) == "private") < 3)
        {
            untilPrivates.Add(await bob.ReceiveEventAsync(ct));
        }
        var untilMarker = await MarkerFromAAsync(apiA, bob, "after the sign-ins", ct);

        var presenceA = await apiA.GetAsync("/api/presence", ct);
        var presenceB = await apiB.GetAsync("/api/presence", ct);
        await bob.SendJsonAsync(new { to_client = "ALICE1", msg = "to every connection" }, ct);
        // Part 3: each connection also gets its other connections' sends (the sender's inbox), so bob's is picked out.
        static bool FromBob(JsonElement e) => e.GetProperty("name").GetString() == "bob1";
        var reached = new[] { await first.ReceiveEventAsync("private", FromBob, ct), await second.ReceiveEventAsync("private", FromBob, ct), await third.ReceiveEventAsync("private", FromBob, ct) };

        await first.CloseAsync(ct);
        await third.CloseAsync(ct);
        await second.SendJsonAsync(new { to_client = "bob1", msg = "still here" }, ct);
        var untilStillHere = await bob.ReceiveEventsUntilAsync(e => Type(e) == "private" && e.GetProperty("msg").GetString() == "still here", ct);
        var afterTwoClosed = await MarkerFromAAsync(apiA, bob, "after two closed", ct);
        await second.CloseAsync(ct);
        var untilLeave = await bob.ReceiveEventsUntilAsync(e => Type(e) == "leave", ct);
        var afterLast = await MarkerFromAAsync(apiA, bob, "after the last closed", ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(User(join), Is.EqualTo("alice1"));
            Assert.That(untilPrivates.Concat(untilMarker).Where(e => Type(e) == "join").Select(User), Is.Empty, "one join: none for the second and third connections");
            Assert.That(Users(presenceA), Is.EqualTo(new[] { "alice1", "bob1" }));
            Assert.That(Users(presenceB), Is.EqualTo(new[] { "alice1", "bob1" }));
            Assert.That(reached.Select(e => e.GetProperty("msg").GetString()), Is.All.EqualTo("to every connection"));
            Assert.That(untilStillHere.Concat(afterTwoClosed).Where(e => Type(e) == "leave").Select(User), Is.Empty, "no leave while a connection remains");
            Assert.That(untilLeave.Where(e => Type(e) == "leave").Select(User), Is.EqualTo(new[] { "alice1" }));
            Assert.That(afterLast.Where(e => Type(e) == "leave").Select(User), Is.Empty, "one leave");
        }
    }

    [Test]
    public async Task Disconnect_through_one_host_closes_every_connection_of_the_user_on_both_with_4004()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        using var apiB = new ApiClient(B.HttpPort, Key);
        await using var bob = await TypedClient.ConnectSignedInAsync(A.WebSocketPort, Tokens.For("bob2"), ct);
        await using var onA = await TypedClient.ConnectSignedInAsync(A.WebSocketPort, Tokens.For("alice2"), ct);
        await using var onB1 = await TypedClient.ConnectSignedInAsync(B.WebSocketPort, Tokens.For("alice2"), ct);
        await using var onB2 = await TypedClient.ConnectSignedInAsync(B.WebSocketPort, Tokens.For("alice2"), ct);
        // The cluster is shared: the previous test's users may still be leaving, so only alice2's events count.
        await bob.ReceiveEventsUntilAsync(e => Type(e) == "join" && User(e) == "alice2", ct);

        var answer = await apiB.PostJsonAsync("/api/disconnect", new { user = "Alice2" }, ct);
        await Task.WhenAll(onA.Closed.Task, onB1.Closed.Task, onB2.Closed.Task).WaitAsync(ct);
        await bob.ReceiveEventsUntilAsync(e => Type(e) == "leave" && User(e) == "alice2", ct);
        var presence = await apiB.GetAsync("/api/presence", ct);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(new[] { onA.CloseStatus, onB1.CloseStatus, onB2.CloseStatus }.Select(s => (int?)s), Is.All.EqualTo(4004));
        Assert.That(Users(presence), Does.Not.Contain("alice2"));
    }

    private static string? Type(JsonElement e) => e.GetProperty("type").GetString();

    private static string? User(JsonElement e) => e.TryGetProperty("user", out var u) ? u.GetString() : null;

    private static string?[] Users(ApiAnswer answer) => [.. answer.Json!.Value.GetProperty("users").EnumerateArray().Select(u => u.GetString())];
}
