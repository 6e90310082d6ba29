using Fleck.Chat.Host.Limits;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Host;

/// <summary>
/// A flood of connections to the pages port, past what the host's descriptors allow, neither kills
/// the host nor fills its log: the connections beyond the cap are refused, and once the flood is
/// over the pages and the chat serve as before. The host runs under <c>ulimit -n 1024</c>, where
/// HttpListener used to abort with "Out of memory." after about a thousand idle connections.
/// </summary>
[CancelAfter(180_000)]
[Parallelizable(ParallelScope.All)]
public sealed class PagePortFloodTests
{
    private const int HostOpenFiles = 1_024;
    private const int Flood = 1_100;
    private const int MaxLogLines = 50;
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(25);

    [OneTimeSetUp]
    public void TheTestRunCanHoldTheFlood() =>
        // The flood's own ends are this process's descriptors: test.sh raises the soft limit to the hard one.
        Assert.That(OpenFileLimit.Soft() ?? long.MaxValue, Is.GreaterThan(Flood + 1_000), "raise this process's limit (ulimit -n) to run the flood");

    [Test]
    public async Task Idle_connections_past_the_cap_are_refused_and_the_host_serves_once_they_are_gone()
    {
        await using var host = await StartUnderLimitAsync();

        using (var flood = await PagePortConnections.OpenAsync(host.HttpPort, Flood, TestTimeouts.Token()))
        {
            await AssertAliveThroughoutAsync(host, Task.Delay(Hold, TestContext.CurrentContext.CancellationToken));
        }

        await AssertServesAsync(host);
    }

    [Test]
    public async Task Connections_that_trickle_their_headers_past_the_cap_are_refused_and_the_host_serves_once_they_are_gone()
    {
        await using var host = await StartUnderLimitAsync();

        using (var flood = await PagePortConnections.OpenAsync(host.HttpPort, Flood, TestTimeouts.Token()))
        {
            using var hold = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CurrentContext.CancellationToken);
            hold.CancelAfter(Hold);
            var trickle = flood.TrickleAsync("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + new string('a', 100), TimeSpan.FromSeconds(1), hold.Token);
            await AssertAliveThroughoutAsync(host, trickle.ContinueWith(_ => { }, TaskScheduler.Default));
        }

        await AssertServesAsync(host);
    }

    private static async Task<HostProcess> StartUnderLimitAsync()
    {
        var host = HostProcess.StartWithOpenFileLimit(HostOpenFiles, HostProcess.OnLoopback("nick-broadcast"));
        try
        {
            await host.WaitForBannerAsync(TestTimeouts.Token());
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Fails as soon as the host exits while <paramref name="hold"/> runs.</summary>
    private static async Task AssertAliveThroughoutAsync(HostProcess host, Task hold)
    {
        var exited = host.Process.WaitForExitAsync(TestContext.CurrentContext.CancellationToken);
        var first = await Task.WhenAny(hold, exited);

        Assert.That(first, Is.SameAs(hold), () => $"the host exited with {host.Process.ExitCode} during the flood: {host.AllStderr}");
    }

    /// <summary>After the flood: /healthz answers 200, two people chat, and the log grew by a bounded number of lines.</summary>
    private static async Task AssertServesAsync(HostProcess host)
    {
        var ct = TestTimeouts.Token();
        using var http = new HttpClient();
        // The host notices the closed connections within moments; until then it may still be at its cap.
        var health = await Retry.UntilAsync(async _ =>
        {
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{host.HttpPort}/healthz", ct);
                return (int)response.StatusCode;
            }
            catch (HttpRequestException)
            {
                return 0;
            }
        }, status => status == 200, TestTimeouts.Step, ct);
        await using var alice = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/alice", ct);
        await alice.ReceiveEventAsync("users", ct);
        await using var bob = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/bob", ct);
        await bob.ReceiveEventAsync("users", ct);
        await alice.SendJsonAsync(new { msg = "still here" }, ct);
        var heard = (await bob.ReceiveEventAsync("message", ct)).ToString();

        Assert.That(health, Is.EqualTo(200));
        Assert.That(heard, Does.Contain("still here"));
        var lines = (host.Stdout + host.AllStderr).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.LessThan(MaxLogLines), string.Join('\n', lines.Take(MaxLogLines)));
        Assert.That(host.Process.HasExited, Is.False);
    }
}
