using System.Net;
using System.Text;
using Fleck.Chat.Tests.Identity;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Host.Api;

/// <summary><c>/api/ban</c>, <c>/api/unban</c> and <c>/api/bans</c> on the real host, as its clients see them.</summary>
[CancelAfter(90_000)]
[Parallelizable(ParallelScope.All)]
public sealed class ApiBanTests
{
    /// <summary>Sends an upgrade request and returns the answer's status line.</summary>
    private static async Task<string> UpgradeStatusAsync(int port, string target, CancellationToken ct)
    {
        await using var client = await RawWebSocketClient.ConnectTcpAsync(port, ct);
        await client.WriteAsync(Encoding.ASCII.GetBytes(
            $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"), ct);
        var head = await client.ReadHttpHeadAsync(ct);
        return head[..head.IndexOf('\r', StringComparison.Ordinal)];
    }

    private static List<(string User, long Until)> Bans(ApiAnswer answer) =>
        [.. answer.Json!.Value.GetProperty("bans").EnumerateArray().Select(b => (b.GetProperty("user").GetString()!, b.GetProperty("until").GetInt64()))];

    [Test]
    public async Task A_ban_closes_every_connection_of_the_user_and_keeps_it_out_until_unbanned()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await ApiHost.StartAsync("nick-broadcast", ct, "--jwt-secret", Tokens.Secret);
        using var api = new ApiClient(host.HttpPort, ApiHost.Key);
        await using var bob = await TypedClient.ConnectSignedInAsync(host.WebSocketPort, Tokens.For("bob"), ct);
        await using var tab1 = await TypedClient.ConnectSignedInAsync(host.WebSocketPort, Tokens.For("mallory"), ct);
        await using var tab2 = await TypedClient.ConnectSignedInAsync(host.WebSocketPort, Tokens.For("mallory"), ct);
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var ban = await api.PostJsonAsync("/api/ban", new { user = "Mallory", seconds = 600 }, ct);
        await tab1.Closed.Task.WaitAsync(ct);
        await tab2.Closed.Task.WaitAsync(ct);
        var leave = await bob.ReceiveEventAsync("leave", ct);
        var refused = await UpgradeStatusAsync(host.WebSocketPort, "/websocket?access_token=" + Tokens.For("mallory"), ct);
        var listed = await api.GetAsync("/api/bans", ct);
        var unban = await api.PostJsonAsync("/api/unban", new { user = "mallory" }, ct);
        var again = await api.PostJsonAsync("/api/unban", new { user = "mallory" }, ct);
        var listedAfter = await api.GetAsync("/api/bans", ct);
        await using var back = await TypedClient.ConnectSignedInAsync(host.WebSocketPort, Tokens.For("mallory"), ct);
        using var http = new HttpClient();
        var metrics = await PrometheusScrape.GetAsync(http, $"http://127.0.0.1:{host.HttpPort}/metrics", ct);

        Assert.That(ban.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(ban.Json!.Value.GetProperty("ok").GetBoolean(), Is.True);
        var until = ban.Json!.Value.GetProperty("until").GetInt64();
        Assert.That(until, Is.InRange(before + 600, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 600));
        Assert.That((int?)tab1.CloseStatus, Is.EqualTo(4004));
        Assert.That((int?)tab2.CloseStatus, Is.EqualTo(4004));
        Assert.That(leave.GetProperty("user").GetString(), Is.EqualTo("mallory"));
        Assert.That(refused, Is.EqualTo("HTTP/1.1 403 Forbidden"));
        Assert.That(Bans(listed), Is.EqualTo(new[] { ("Mallory", until) }));
        Assert.That(unban.Body, Is.EqualTo("{\"ok\":true}"));
        Assert.That(again.Body, Is.EqualTo("{\"ok\":true}"), "unban is idempotent");
        Assert.That(Bans(listedAfter), Is.Empty);
        Assert.That(back.State, Is.EqualTo(System.Net.WebSockets.WebSocketState.Open));
        Assert.That(metrics.Value("fleck_chat_bans_total"), Is.EqualTo(1));
        Assert.That(metrics.Value("fleck_chat_handshakes_refused_total", "reason=\"banned\""), Is.EqualTo(1));
    }

    [Test]
    public async Task Without_identity_a_banned_nickname_is_refused_in_the_path_and_closed_as_a_first_message()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await ApiHost.StartAsync("nick-broadcast", ct);
        using var api = new ApiClient(host.HttpPort, ApiHost.Key);
        await using var alice = await ApiHost.JoinAsync(host, "alice", ct);

        var ban = await api.PostJsonAsync("/api/ban", new { user = "MALLORY", seconds = 60 }, ct);
        var inPath = await UpgradeStatusAsync(host.WebSocketPort, "/websocket/mallory", ct);
        await using var firstMessage = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket", ct);
        await firstMessage.SendTextAsync("Mallory", ct);
        var error = await firstMessage.ReceiveEventAsync("error", ct);
        await firstMessage.Closed.Task.WaitAsync(ct);
        await alice.SendJsonAsync(new { msg = "marker" }, ct);
        var seen = await alice.ReceiveUntilMessageAsync("marker", ct);

        Assert.That(ban.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(inPath, Is.EqualTo("HTTP/1.1 403 Forbidden"));
        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo("banned"));
        Assert.That((int?)firstMessage.CloseStatus, Is.EqualTo(4004));
        Assert.That(seen.Where(e => e.Type() == "join"), Is.Empty, "the banned user never joined");
    }

    [TestCase("{\"seconds\":60}", "missing_field", "user")]
    [TestCase("{\"user\":\" \",\"seconds\":60}", "missing_field", "user")]
    [TestCase("{\"user\":\"bob\"}", "missing_field", "seconds")]
    [TestCase("{\"user\":\"bob\",\"seconds\":null}", "missing_field", "seconds")]
    [TestCase("{\"user\":\"bob\",\"seconds\":0}", "invalid_request", "seconds")]
    [TestCase("{\"user\":\"bob\",\"seconds\":31536001}", "invalid_request", "seconds")]
    [TestCase("{\"user\":\"bob\",\"seconds\":1.5}", "invalid_request", "seconds")]
    [TestCase("{\"user\":\"bob\",\"seconds\":\"60\"}", "invalid_request", "seconds")]
    [TestCase("{\"user\":\"bob\",\"seconds\":-5}", "invalid_request", "seconds")]
    public async Task A_bad_ban_is_answered_400_and_bans_nobody(string body, string error, string field)
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await ApiHost.StartAsync("private", ct);
        using var api = new ApiClient(host.HttpPort, ApiHost.Key);

        var answer = await api.PostAsync("/api/ban", body, ct);
        var unban = await api.PostAsync("/api/unban", "{}", ct);
        var bans = await api.GetAsync("/api/bans", ct);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(answer.Error, Is.EqualTo(error));
        Assert.That(answer.Json!.Value.GetProperty("field").GetString(), Is.EqualTo(field));
        Assert.That(unban.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(unban.Error, Is.EqualTo("missing_field"));
        Assert.That(bans.Body, Is.EqualTo("{\"bans\":[]}"));
    }

    [Test]
    public async Task The_longest_ban_is_a_year_and_the_methods_are_checked()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await ApiHost.StartAsync("rooms", ct);
        using var api = new ApiClient(host.HttpPort, ApiHost.Key);

        var year = await api.PostJsonAsync("/api/ban", new { user = "bob", seconds = 31_536_000 }, ct);
        var getBan = await api.GetAsync("/api/ban", ct);
        var postBans = await api.PostAsync("/api/bans", "{}", ct);

        Assert.That(year.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(getBan.Status, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(postBans.Status, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
    }

    [Test]
    public async Task With_a_store_a_ban_survives_a_restart()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        using var folder = new TemporaryFolder("fleck-chat-bans-");
        var file = folder.File("chat.db");
        long until;
        await using (var first = await ApiHost.StartAsync("nick-broadcast", ct, "--store", file))
        {
            using var api = new ApiClient(first.HttpPort, ApiHost.Key);
            var ban = await api.PostJsonAsync("/api/ban", new { user = "mallory", seconds = 3600 }, ct);
            await api.PostJsonAsync("/api/ban", new { user = "trudy", seconds = 3600 }, ct);
            await api.PostJsonAsync("/api/unban", new { user = "trudy" }, ct);
            until = ban.Json!.Value.GetProperty("until").GetInt64();
            first.Terminate();
            Assert.That(await first.WaitForExitAsync(ct), Is.Zero);
        }

        await using var second = await ApiHost.StartAsync("nick-broadcast", ct, "--store", file);
        using var again = new ApiClient(second.HttpPort, ApiHost.Key);
        var listed = await again.GetAsync("/api/bans", ct);
        var refused = await UpgradeStatusAsync(second.WebSocketPort, "/websocket/mallory", ct);
        await using var trudy = await ApiHost.JoinAsync(second, "trudy", ct);

        Assert.That(Bans(listed), Is.EqualTo(new[] { ("mallory", until) }));
        Assert.That(refused, Is.EqualTo("HTTP/1.1 403 Forbidden"));
        Assert.That(trudy.State, Is.EqualTo(System.Net.WebSockets.WebSocketState.Open));
    }
}
