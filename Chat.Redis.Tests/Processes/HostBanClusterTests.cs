using System.Net;
using System.Text;
using Fleck.Chat.Redis.Tests.Support;
using Fleck.Chat.Tests.Identity;

namespace Fleck.Chat.Redis.Tests.Processes;

/// <summary>
/// Bans across host processes: two Chat.Host processes started with <c>--jwt-secret</c>,
/// <c>--redis</c> (one redis-server) and <c>--api-key</c>. A ban made on one host holds on the
/// other as soon as the call has returned. The tests share the cluster and run one after another,
/// each with users of its own.
/// </summary>
[CancelAfter(90_000)]
public sealed class HostBanClusterTests
{
    private const string Key = "ban-cluster-key-3e8a";
    private HostCluster? _cluster;

    private HostProcess A => _cluster!.Hosts[0];

    private HostProcess B => _cluster!.Hosts[1];

    [OneTimeSetUp]
    public async Task StartClusterAsync() =>
        _cluster = await HostCluster.StartAsync(2, "nick-broadcast", new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token, "--jwt-secret", Tokens.Secret, "--api-key", Key);

    [OneTimeTearDown]
    public async Task StopClusterAsync() => await (_cluster?.DisposeAsync() ?? ValueTask.CompletedTask);

    private static async Task<string> UpgradeStatusAsync(int port, string token, CancellationToken ct)
    {
        await using var client = await RawWebSocketClient.ConnectTcpAsync(port, ct);
        await client.WriteAsync(Encoding.ASCII.GetBytes(
            $"GET /websocket?access_token={token} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"), ct);
        var head = await client.ReadHttpHeadAsync(ct);
        return head[..head.IndexOf('\r', StringComparison.Ordinal)];
    }

    [Test]
    public async Task A_ban_through_one_host_closes_the_user_on_the_other_and_the_other_refuses_it()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        using var apiA = new ApiClient(A.HttpPort, Key);
        using var apiB = new ApiClient(B.HttpPort, Key);
        await using var onA = await TypedClient.ConnectSignedInAsync(A.WebSocketPort, Tokens.For("mallory1"), ct);
        await using var onB = await TypedClient.ConnectSignedInAsync(B.WebSocketPort, Tokens.For("mallory1"), ct);

        var ban = await apiA.PostJsonAsync("/api/ban", new { user = "Mallory1", seconds = 600 }, ct);
        var refusedOnB = await UpgradeStatusAsync(B.WebSocketPort, Tokens.For("mallory1"), ct);
        await onA.Closed.Task.WaitAsync(ct);
        await onB.Closed.Task.WaitAsync(ct);
        var listedOnB = await apiB.GetAsync("/api/bans", ct);
        var unban = await apiB.PostJsonAsync("/api/unban", new { user = "mallory1" }, ct);
        await using var back = await TypedClient.ConnectSignedInAsync(A.WebSocketPort, Tokens.For("mallory1"), ct);
        using var http = new HttpClient();
        var metricsB = await http.GetStringAsync($"http://127.0.0.1:{B.HttpPort}/metrics", ct);

        Assert.That(ban.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(refusedOnB, Is.EqualTo("HTTP/1.1 403 Forbidden"), "host B refuses at once after host A answered");
        Assert.That((int?)onA.CloseStatus, Is.EqualTo(4004));
        Assert.That((int?)onB.CloseStatus, Is.EqualTo(4004));
        var bans = listedOnB.Json!.Value.GetProperty("bans").EnumerateArray().ToList();
        Assert.That(bans.Select(b => b.GetProperty("user").GetString()), Is.EqualTo(new[] { "Mallory1" }));
        Assert.That(bans[0].GetProperty("until").GetInt64(), Is.EqualTo(ban.Json!.Value.GetProperty("until").GetInt64()));
        Assert.That(unban.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(back.State, Is.EqualTo(System.Net.WebSockets.WebSocketState.Open), "the unban on B lets the user back in on A");
        Assert.That(metricsB, Does.Match("fleck_chat_handshakes_refused_total\\{[^}]*reason=\"banned\"[^}]*\\} 1\\b"));
    }

    [Test]
    public async Task An_expired_ban_is_pruned_from_the_shared_list()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        using var apiA = new ApiClient(A.HttpPort, Key);
        using var apiB = new ApiClient(B.HttpPort, Key);

        await apiA.PostJsonAsync("/api/ban", new { user = "brief2", seconds = 1 }, ct);
        await apiA.PostJsonAsync("/api/ban", new { user = "long2", seconds = 600 }, ct);
        var until = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1.5);
        while (DateTimeOffset.UtcNow < until)
        {
            await Task.Delay(until - DateTimeOffset.UtcNow, ct);
        }
        var listed = await apiB.GetAsync("/api/bans", ct);
        await using var brief = await TypedClient.ConnectSignedInAsync(B.WebSocketPort, Tokens.For("brief2"), ct);
        await apiA.PostJsonAsync("/api/unban", new { user = "long2" }, ct);

        var users = listed.Json!.Value.GetProperty("bans").EnumerateArray().Select(b => b.GetProperty("user").GetString()).ToList();
        Assert.That(users, Does.Contain("long2").And.Not.Contain("brief2"));
    }
}
