using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Host;

/// <summary>The host as a user runs it: flags, bad input, banner, pages, shutdown.</summary>
[CancelAfter(60_000)]
[Parallelizable(ParallelScope.All)]
public sealed class HostCommandLineTests
{
    [TestCase("--mode", "bogus")]
    [TestCase("--port", "abc")]
    [TestCase("--port", "70000")]
    [TestCase("--http-port", "-1")]
    [TestCase("--static", "/no/such/folder")]
    [TestCase("--cert", "/no/such/cert.pfx")]
    [TestCase("--host", "not-an-ip")]
    [TestCase("--log-level", "7")]
    public async Task Bad_input_gets_one_clear_line_on_stderr_and_a_non_zero_exit(string flag, string value)
    {
        var ct = TestTimeouts.Token();
        string[] args = flag is "--port" or "--http-port" ? [flag, value] : ["--port", "0", "--http-port", "0", flag, value];
        await using var host = HostProcess.Start(args);

        var code = await host.WaitForExitAsync(ct);

        Assert.That(code, Is.Not.Zero);
        Assert.That(host.Stderr, Does.Contain(value.TrimStart('/')).Or.Contain("not found").Or.Contain("cannot"));
        Assert.That(host.Stderr, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public async Task A_busy_websocket_port_is_reported_in_one_line()
    {
        var ct = TestTimeouts.Token();
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        await using var host = HostProcess.Start("--mode", "broadcast", "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--http-port", "0");

        var code = await host.WaitForExitAsync(ct);

        Assert.That(code, Is.Not.Zero);
        Assert.That(host.Stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(host.Stderr, Does.Contain("cannot listen").And.Contain(port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public async Task Help_lists_every_option_and_exits_zero()
    {
        var ct = TestTimeouts.Token();
        await using var host = HostProcess.Start("--help");

        var code = await host.WaitForExitAsync(ct);

        Assert.That(code, Is.Zero);
        foreach (var option in new[] { "--mode", "--host", "--port", "--http-port", "--static", "--max-message-bytes", "--max-connections", "--rate", "--history", "--allowed-origins", "--cert", "--log-level", "--redis" })
        {
            Assert.That(host.Stdout, Does.Contain(option));
        }
        Assert.That(host.Stdout, Does.Contain("broadcast|nick-broadcast|private"));
    }

    [TestCase("nick-broadcast")]
    [TestCase("NickBroadcast")]
    [TestCase("private")]
    public async Task The_exact_flags_start_the_chat_and_serve_health_and_the_mode_page(string mode)
    {
        var ct = TestTimeouts.Token();
        await using var host = HostProcess.Start("--mode", mode, "--host", "127.0.0.1", "--port", "0", "--http-port", "0");
        var banner = await host.WaitForBannerAsync(ct);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.HttpPort}") };

        var health = JsonDocument.Parse(await http.GetStringAsync("/healthz", ct)).RootElement;
        var chatPage = await http.GetStringAsync("/chat", ct);
        var config = JsonDocument.Parse(await http.GetStringAsync("/config.json", ct)).RootElement;

        var canonical = mode == "private" ? "private" : "nick-broadcast";
        Assert.That(banner, Does.Contain(canonical));
        Assert.That(health.GetProperty("mode").GetString(), Is.EqualTo(canonical));
        Assert.That(chatPage, Does.Contain($"data-mode=\"{canonical}\""));
        Assert.That(config.GetProperty("wsPort").GetInt32(), Is.EqualTo(host.WebSocketPort));
    }

    [Test]
    public async Task Sigterm_closes_every_client_with_1001_and_exits_zero()
    {
        var ct = TestTimeouts.Token();
        await using var host = HostProcess.Start("--mode", "nick-broadcast", "--port", "0", "--http-port", "0");
        await host.WaitForBannerAsync(ct);
        await using var alice = await ChatClient.ConnectAsync(host.WebSocketPort, "/websocket/alice", ct);
        await alice.ReceiveEventAsync("users", ct);

        host.Terminate();
        await alice.Closed.Task.WaitAsync(ct);
        var code = await host.WaitForExitAsync(ct);

        Assert.That((int?)alice.CloseStatus, Is.EqualTo(1001));
        Assert.That(code, Is.Zero);
    }

    [TestCase("/../../etc/passwd")]
    [TestCase("/..%2f..%2fetc%2fpasswd")]
    [TestCase("/%2e%2e/%2e%2e/etc/passwd")]
    [TestCase("/nope.html")]
    public async Task Paths_outside_the_static_folder_or_missing_files_are_404(string path)
    {
        var ct = TestTimeouts.Token();
        await using var host = HostProcess.Start("--port", "0", "--http-port", "0");
        await host.WaitForBannerAsync(ct);

        var (status, body) = await RawGetAsync(host.HttpPort, path, ct);

        Assert.That(status, Is.EqualTo(404).Or.EqualTo(400));
        Assert.That(body, Does.Not.Contain("root:"));
    }

    [TestCase("/", "text/html")]
    [TestCase("/chat.css", "text/css")]
    [TestCase("/chat.js", "text/javascript")]
    [TestCase("/config.json", "application/json")]
    public async Task Static_files_are_served_with_their_content_type(string path, string type)
    {
        var ct = TestTimeouts.Token();
        await using var host = HostProcess.Start("--port", "0", "--http-port", "0");
        await host.WaitForBannerAsync(ct);
        using var http = new HttpClient();

        using var response = await http.GetAsync($"http://127.0.0.1:{host.HttpPort}{path}", ct);

        Assert.That((int)response.StatusCode, Is.EqualTo(200));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo(type));
    }

    /// <summary>Sends the path byte for byte (HttpClient would normalise the dot segments away).</summary>
    private static async Task<(int Status, string Body)> RawGetAsync(int port, string path, CancellationToken ct)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port, ct);
        var stream = tcp.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), ct);
        using var reader = new StreamReader(stream);
        var text = await reader.ReadToEndAsync(ct);
        var status = int.Parse(text.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        return (status, text);
    }
}
