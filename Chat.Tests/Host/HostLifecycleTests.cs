using System.Net.WebSockets;
using System.Text.Json;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Host;

/// <summary>The built host run as a process: the exact flags outside tools use, the banner, the pages, a chat, and a clean stop on a signal.</summary>
[CancelAfter(60_000)]
[Parallelizable(ParallelScope.All)]
public sealed class HostLifecycleTests
{
    private const int Sigint = 2;
    private const int Sigterm = 15;

    [TestCase("broadcast", "broadcast")]
    [TestCase("nick-broadcast", "nick-broadcast")]
    [TestCase("NickBroadcast", "nick-broadcast")]
    [TestCase("nick_broadcast", "nick-broadcast")]
    [TestCase("PRIVATE", "private")]
    [TestCase("Rooms", "rooms")]
    public async Task The_exact_flags_start_the_mode_and_its_page_and_the_banner_says_where(string flag, string mode)
    {
        var ct = TestTimeouts.Token();
        var sinceStart = System.Diagnostics.Stopwatch.StartNew();
        await using var host = HostProcess.Start("--mode", flag, "--host", "127.0.0.1", "--port", "0", "--http-port", "0");
        var banner = await host.WaitForBannerAsync(ct);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.HttpPort}") };

        var health = JsonDocument.Parse(await http.GetStringAsync("/healthz", ct)).RootElement;
        var config = JsonDocument.Parse(await http.GetStringAsync("/config.json", ct)).RootElement;
        var page = await http.GetStringAsync("/chat", ct);
        // Read again after serving the two requests: the process's counters only ever grow.
        var later = JsonDocument.Parse(await http.GetStringAsync("/healthz", ct)).RootElement;

        Assert.That(banner, Does.StartWith($"Fleck.Chat {mode} mode: open http://127.0.0.1:{host.HttpPort}/chat"));
        Assert.That(banner, Does.Contain($"ws://127.0.0.1:{host.WebSocketPort}/websocket"));
        Assert.That(health.GetProperty("mode").GetString(), Is.EqualTo(mode));
        Assert.That(health.GetProperty("members").GetInt32(), Is.Zero);
        Assert.That(health.GetProperty("connections").GetInt32(), Is.Zero);
        // The host's own uptime: it cannot have run longer than this test has (whole seconds, rounded either way).
        Assert.That(health.GetProperty("uptimeSeconds").GetInt64(), Is.InRange(0, (long)Math.Ceiling(sinceStart.Elapsed.TotalSeconds)));
        Assert.That(later.GetProperty("uptimeSeconds").GetInt64(), Is.GreaterThanOrEqualTo(health.GetProperty("uptimeSeconds").GetInt64()));
        Assert.That(health.GetProperty("allocatedBytes").GetInt64(), Is.Positive);
        Assert.That(later.GetProperty("allocatedBytes").GetInt64(), Is.GreaterThan(health.GetProperty("allocatedBytes").GetInt64()), "serving requests allocates");
        Assert.That(later.GetProperty("gen0Collections").GetInt32(), Is.GreaterThanOrEqualTo(health.GetProperty("gen0Collections").GetInt32()));
        Assert.That(later.GetProperty("gen2Collections").GetInt32(), Is.GreaterThanOrEqualTo(health.GetProperty("gen2Collections").GetInt32()));
        Assert.That(config.GetProperty("mode").GetString(), Is.EqualTo(mode));
        Assert.That(config.GetProperty("wsPort").GetInt32(), Is.EqualTo(host.WebSocketPort));
        Assert.That(config.GetProperty("wsPath").GetString(), Is.EqualTo("/websocket"));
        Assert.That(config.GetProperty("secure").GetBoolean(), Is.False);
        Assert.That(page, Does.Contain($"data-mode=\"{mode}\""));
    }

    [TestCase(Sigterm)]
    [TestCase(Sigint)]
    public async Task People_chat_through_the_host_and_a_signal_closes_them_with_1001_and_exits_zero(int signal)
    {
        if (IgnoredByThisProcess(signal))
        {
            // A shell without job control starts background commands with SIGINT ignored, and a
            // child inherits that: the host then rightly never sees the signal.
            Assert.Ignore($"Signal {signal} is ignored by this process (started in the background?), so the host inherits that.");
        }
        var ct = TestTimeouts.Token();
        await using var host = HostProcess.Start("--mode", "nick-broadcast", "--host", "127.0.0.1", "--port", "0", "--http-port", "0", "--log-level", "debug");
        await host.WaitForBannerAsync(ct);
        await using var alice = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/alice", ct);
        await alice.ReceiveEventAsync("users", ct);
        await using var bob = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/bob", ct);
        await bob.ReceiveEventAsync("users", ct);
        using var http = new HttpClient();
        var health = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{host.HttpPort}/healthz", ct)).RootElement;

        await alice.SendJsonAsync(new { msg = "hi bob" }, ct);
        var heard = await bob.ReceiveEventAsync("message", ct);
        // The shutdown is a step of its own: on a loaded machine, starting a process and two
        // clients may use much of one step's bound already.
        ct = TestTimeouts.Token();
        host.Signal(signal);
        await alice.Closed.Task.WaitAsync(ct);
        await bob.Closed.Task.WaitAsync(ct);
        var code = await host.WaitForExitAsync(ct);

        Assert.That(health.GetProperty("members").GetInt32(), Is.EqualTo(2));
        Assert.That(heard.GetProperty("name").GetString(), Is.EqualTo("alice"));
        Assert.That(heard.GetProperty("msg").GetString(), Is.EqualTo("hi bob"));
        Assert.That(alice.CloseStatus, Is.EqualTo(WebSocketCloseStatus.EndpointUnavailable));
        Assert.That(bob.CloseStatus, Is.EqualTo(WebSocketCloseStatus.EndpointUnavailable));
        Assert.That(code, Is.Zero);
        Assert.That(host.Stdout, Does.Contain("/websocket/alice").And.Contain("127.0.0.1:"), "connections are logged at Debug with the client's endpoint");
        Assert.That(host.Stdout, Does.Contain("Shutting down: closing 2 connections"));
        Assert.That(host.Stderr, Is.Empty);
    }

    private static bool IgnoredByThisProcess(int signal)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        var mask = Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16);
        return (mask & (1UL << (signal - 1))) != 0;
    }
}
