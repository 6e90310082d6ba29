using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Host;

/// <summary>The host's command line as a user meets it: bad values get one clear line and a non-zero exit, --help reads well.</summary>
[CancelAfter(60_000)]
[Parallelizable(ParallelScope.All)]
public sealed class HostCommandLineTests
{
    [TestCase("--mode", "bogus", "--mode 'bogus'")]
    [TestCase("--mode", "7", "--mode '7'")]
    [TestCase("--port", "abc", "--port 'abc'")]
    [TestCase("--port", "70000", "--port '70000'")]
    [TestCase("--http-port", "-1", "--http-port '-1'")]
    [TestCase("--rate", "fast", "--rate 'fast'")]
    [TestCase("--history", "-5", "--history '-5'")]
    [TestCase("--max-rooms", "0", "--max-rooms '0'")]
    [TestCase("--retain", "10", "--retain 10 must be at least --history 50")]
    [TestCase("--retain-bytes", "-1", "--retain-bytes '-1'")]
    [TestCase("--history-memory", "lots", "--history-memory 'lots'")]
    [TestCase("--stream-ttl", "5x", "--stream-ttl '5x'")]
    [TestCase("--stream-ttl", "0s", "--stream-ttl '0s'")]
    [TestCase("--max-streams", "0", "--max-streams '0'")]
    [TestCase("--host", "not-an-ip", "--host 'not-an-ip'")]
    [TestCase("--max-connections-per-address", "-1", "--max-connections-per-address '-1'")]
    [TestCase("--max-handshakes-per-address", "many", "--max-handshakes-per-address 'many'")]
    [TestCase("--handshake-rate-per-address", "-2", "--handshake-rate-per-address '-2'")]
    [TestCase("--trusted-proxies", "10.0.0.1,proxy.local", "--trusted-proxies 'proxy.local'")]
    [TestCase("--max-fragments-per-message", "2000000", "--max-fragments-per-message '2000000'")]
    [TestCase("--message-assembly-timeout", "soon", "--message-assembly-timeout 'soon'")]
    [TestCase("--log-level", "7", "--log-level '7'")]
    [TestCase("--allowed-origins", "example.com", "--allowed-origins 'example.com'")]
    [TestCase("--static", "/no/such/folder", "static folder not found: /no/such/folder")]
    [TestCase("--cert", "/no/such/cert.pfx", "cannot read certificate /no/such/cert.pfx")]
    [TestCase("--unknown", "", "Unrecognized command or argument '--unknown'")]
    public async Task Bad_input_gets_one_clear_line_on_stderr_and_a_non_zero_exit(string flag, string value, string expected)
    {
        var ct = TestTimeouts.Token();
        // Free ports for the rest, so only the value under test can make the start fail.
        string[] ports = flag switch { "--port" => ["--http-port", "0"], "--http-port" => ["--port", "0"], _ => ["--port", "0", "--http-port", "0"] };
        await using var host = HostProcess.Start([.. ports, flag, .. value.Length > 0 ? [value] : Array.Empty<string>()]);

        var code = await host.WaitForExitAsync(ct);

        AssertOneErrorLine(host, expected);
        Assert.That(code, Is.EqualTo(1));
    }

    [Test]
    public async Task A_file_that_is_not_a_certificate_is_reported_in_one_line()
    {
        var ct = TestTimeouts.Token();
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n", ct);
            await using var host = HostProcess.Start("--port", "0", "--http-port", "0", "--cert", file);

            var code = await host.WaitForExitAsync(ct);

            AssertOneErrorLine(host, "cannot read certificate " + file);
            Assert.That(code, Is.EqualTo(1));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestCase("--port")]
    [TestCase("--http-port")]
    public async Task A_busy_port_is_reported_in_one_line(string flag)
    {
        var ct = TestTimeouts.Token();
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var busy = ((IPEndPoint)squatter.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        string[] ports = flag == "--port" ? ["--port", busy, "--http-port", "0"] : ["--port", "0", "--http-port", busy];
        await using var host = HostProcess.Start(["--mode", "broadcast", "--host", "127.0.0.1", .. ports]);

        var code = await host.WaitForExitAsync(ct);

        AssertOneErrorLine(host, "127.0.0.1:" + busy);
        Assert.That(host.Stderr, Does.Contain("in use"));
        Assert.That(code, Is.EqualTo(1));
    }

    [Test]
    public async Task One_ipv6_address_serves_the_pages_and_the_websocket_there()
    {
        var ct = TestTimeouts.Token();
        await using var host = await HostProcess.StartReadyAsync(ct, "--mode", "broadcast", "--host", "::1", "--port", "0", "--http-port", "0");
        using var http = new HttpClient();

        var page = await http.GetAsync($"http://[::1]:{host.HttpPort}/chat", ct);
        var health = await http.GetAsync($"http://[::1]:{host.HttpPort}/healthz", ct);

        Assert.That(host.Stdout, Does.Contain($"open http://[::1]:{host.HttpPort}/chat"));
        Assert.That(page.IsSuccessStatusCode, Is.True);
        Assert.That(health.IsSuccessStatusCode, Is.True);
    }

    [Test]
    public async Task Help_lists_every_option_with_its_default_and_exits_zero()
    {
        var ct = TestTimeouts.Token();
        await using var host = HostProcess.Start("--help");

        var code = await host.WaitForExitAsync(ct);

        Assert.That(code, Is.Zero);
        foreach (var option in new[] { "--mode", "--host", "--port", "--http-port", "--static", "--max-message-bytes", "--max-connections", "--max-page-connections", "--rate", "--burst", "--history", "--allowed-origins", "--cert", "--cert-password", "--log-level", "--redis",
            "--max-connections-per-address", "--max-handshakes-per-address", "--handshake-rate-per-address", "--trusted-proxies", "--max-fragments-per-message", "--message-assembly-timeout",
            "--retain", "--retain-bytes", "--history-memory", "--stream-ttl", "--max-streams" })
        {
            Assert.That(host.Stdout, Does.Contain(option + " <"), option);
        }
        Assert.That(host.Stdout, Does.Contain("--mode <broadcast|nick-broadcast|private|rooms>"));
        Assert.That(host.Stdout, Does.Contain("[default: 8181]").And.Contain("[default: 8080]").And.Contain("[default: 127.0.0.1]"));
        Assert.That(host.Stderr, Is.Empty);
    }

    private static void AssertOneErrorLine(HostProcess host, string expected)
    {
        var lines = host.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), host.Stderr);
        Assert.That(lines[0], Does.StartWith("error: ").And.Contain(expected));
        Assert.That(host.Stdout, Is.Empty, "no help text or banner after an error");
    }
}
