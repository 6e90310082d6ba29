using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Identity;

/// <summary>The host started with <c>--jwt-secret</c>: every HTTP answer of the upgrade, and sessions that end with their tokens.</summary>
[CancelAfter(60_000)]
[Parallelizable(ParallelScope.All)]
public sealed class IdentityHostTests
{
    private static async Task<HostProcess> StartAsync(CancellationToken ct, params string[] extra)
    {
        var host = HostProcess.Start([
            "--mode", "nick-broadcast", "--host", "127.0.0.1", "--port", "0", "--http-port", "0", "--jwt-secret", Tokens.Secret, .. extra]);
        await host.WaitForBannerAsync(ct);
        return host;
    }

    /// <summary>Sends an upgrade request and returns the whole answer, head and body, up to the server's close.</summary>
    private static async Task<string> UpgradeAsync(int port, string target, CancellationToken ct, string extraHeaders = "")
    {
        await using var client = await RawWebSocketClient.ConnectTcpAsync(port, ct);
        await client.WriteAsync(Encoding.ASCII.GetBytes(
            $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extraHeaders}\r\n"), ct);
        var head = await client.ReadHttpHeadAsync(ct);
        return head.StartsWith("HTTP/1.1 101 ", StringComparison.Ordinal) ? head : head + await client.ReadToEndAsync(ct);
    }

    [Test]
    public async Task Every_answer_of_the_upgrade_follows_the_token()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await StartAsync(ct);
        var port = host.WebSocketPort;

        var missing = await UpgradeAsync(port, "/websocket", ct);
        var garbage = await UpgradeAsync(port, "/websocket?access_token=not.a.token", ct);
        var expired = await UpgradeAsync(port, "/websocket?access_token=" + Tokens.For("alice", TimeSpan.FromMinutes(-5)), ct);
        var foreign = await UpgradeAsync(port, "/websocket?access_token=" + Tokens.For("alice", secret: "another-secret-that-is-long-enough-too!!"), ct);
        var reservedName = await UpgradeAsync(port, "/websocket?access_token=" + Tokens.For("server"), ct);
        var otherPath = await UpgradeAsync(port, "/websocket/bob?access_token=" + Tokens.For("alice"), ct);
        var good = await UpgradeAsync(port, "/websocket?access_token=" + Tokens.For("alice"), ct);
        var goodPath = await UpgradeAsync(port, "/websocket/Alice?access_token=" + Tokens.For("alice"), ct);
        var goodHeader = await UpgradeAsync(port, "/websocket", ct, $"Authorization: Bearer {Tokens.For("alice")}\r\n");

        Assert.That(missing, Does.StartWith("HTTP/1.1 401 Unauthorized\r\n"));
        Assert.That(missing, Does.Contain("\r\nWWW-Authenticate: Bearer\r\n"));
        foreach (var invalid in new[] { garbage, expired, foreign })
        {
            Assert.That(invalid, Does.StartWith("HTTP/1.1 401 Unauthorized\r\n"));
            Assert.That(invalid, Does.Contain("\r\nWWW-Authenticate: Bearer error=\"invalid_token\"\r\n"));
            Assert.That(invalid, Does.Not.Contain("Exception").And.Not.Contain("alice"), "nothing about the token is leaked");
        }
        Assert.That(reservedName, Does.StartWith("HTTP/1.1 403 Forbidden\r\n"));
        Assert.That(otherPath, Does.StartWith("HTTP/1.1 403 Forbidden\r\n"));
        Assert.That(good, Does.StartWith("HTTP/1.1 101 "));
        Assert.That(goodPath, Does.StartWith("HTTP/1.1 101 "));
        Assert.That(goodHeader, Does.StartWith("HTTP/1.1 101 "));
    }

    [Test]
    public async Task A_session_is_closed_with_4401_within_5_seconds_of_its_token_expiring()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await StartAsync(ct);
        // Whole seconds, as in the token; long enough that the handshake on a loaded machine is well inside it.
        var exp = DateTimeOffset.FromUnixTimeSeconds(Tokens.UnixNow + 6);
        var token = Tokens.Hs256(Tokens.Claims("alice", exp.ToUnixTimeSeconds()));

        await using var alice = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket?access_token=" + token, ct);
        await alice.Closed.Task.WaitAsync(ct);
        var closedAt = DateTimeOffset.UtcNow;

        Assert.That((int?)alice.CloseStatus, Is.EqualTo(4401));
        Assert.That(closedAt, Is.GreaterThanOrEqualTo(exp));
        Assert.That(closedAt, Is.LessThanOrEqualTo(exp + TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task Tokens_never_reach_the_log_even_at_trace_level()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await StartAsync(ct, "--log-level", "trace");
        var good = Tokens.For("alice");
        var bad = Tokens.For("alice", secret: "another-secret-that-is-long-enough-too!!");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.HttpPort}") };

        await UpgradeAsync(host.WebSocketPort, "/websocket?access_token=" + bad, ct);
        await UpgradeAsync(host.WebSocketPort, "/websocket", ct, $"Authorization: Bearer {bad}\r\n");
        await using (var alice = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket?access_token=" + good, ct))
        {
            await alice.ReceiveEventAsync("users", ct);
            await alice.CloseAsync(ct);
        }
        await http.GetStringAsync("/chat?access_token=" + good, ct);
        await http.GetStringAsync("/healthz?marker=end", ct);
        // The console logger writes in order: once the last request's line is out, so is every earlier one.
        while (!host.Stdout.Contains("/healthz", StringComparison.Ordinal))
        {
            await Task.Delay(50, ct);
        }

        var log = host.Stdout + host.Stderr;
        Assert.That(log, Does.Contain("opened /websocket"), "the handshake was logged");
        Assert.That(log, Does.Contain("HTTP GET /chat from"), "the page request was logged");
        Assert.That(log, Does.Not.Contain(good.Split('.')[2]).And.Not.Contain(bad.Split('.')[2]));
        Assert.That(log, Does.Not.Contain("access_token=ey").And.Not.Contain("marker=end"));
    }

    [Test]
    public async Task The_pages_are_told_that_a_token_is_needed()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await StartAsync(ct);
        using var http = new HttpClient();

        var config = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{host.HttpPort}/config.json", ct)).RootElement;

        Assert.That(config.GetProperty("auth").GetString(), Is.EqualTo("jwt"));
    }

    [Test]
    public async Task The_secret_may_come_from_the_environment_and_the_token_command_makes_tokens_it_accepts()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        var token = (await RunAsync(ct, null, "token", "--secret", Tokens.Secret, "--name", "dave", "--minutes", "5")).Trim();
        await using var host = HostProcess.Start(new Dictionary<string, string> { ["FLECK_CHAT_JWT_SECRET"] = Tokens.Secret },
            "--mode", "private", "--host", "127.0.0.1", "--port", "0", "--http-port", "0");
        await host.WaitForBannerAsync(ct);

        var answer = await UpgradeAsync(host.WebSocketPort, "/websocket/dave?access_token=" + token, ct);
        var refused = await UpgradeAsync(host.WebSocketPort, "/websocket/dave", ct);

        Assert.That(token.Split('.'), Has.Length.EqualTo(3));
        Assert.That(answer, Does.StartWith("HTTP/1.1 101 "));
        Assert.That(refused, Does.StartWith("HTTP/1.1 401 "));
    }

    [TestCase("--jwt-secret", "short-secret", "error: --jwt-secret must be at least 32 bytes long")]
    [TestCase("--jwt-public-key", "/nonexistent/key.pem", "error: cannot read --jwt-public-key /nonexistent/key.pem")]
    public async Task A_bad_key_is_one_error_line_and_exit_1(string flag, string value, string expected)
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = HostProcess.Start("--mode", "private", "--port", "0", "--http-port", "0", flag, value);

        var code = await host.WaitForExitAsync(ct);
        host.Process.WaitForExit(); // drains the redirected output

        Assert.That(code, Is.EqualTo(1));
        Assert.That(host.Stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(host.Stderr, Does.StartWith(expected));
        Assert.That(host.Stderr, Does.Not.Contain("short-secret"));
    }

    private static async Task<string> RunAsync(CancellationToken ct, IDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(HostProcess.HostDll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        Assert.That(process.ExitCode, Is.Zero, await process.StandardError.ReadToEndAsync(ct));
        return await stdout;
    }
}
