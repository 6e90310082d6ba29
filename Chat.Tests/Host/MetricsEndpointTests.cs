using System.Net.WebSockets;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Host;

/// <summary><c>GET /metrics</c> on the pages port of the host run as a process: the chat's series, the runtime's, and that a chat moves them.</summary>
[CancelAfter(60_000)]
[Parallelizable(ParallelScope.All)]
public sealed class MetricsEndpointTests
{
    [Test]
    public async Task A_chat_moves_the_chat_series_on_the_metrics_page_beside_the_runtime_series()
    {
        var ct = TestTimeouts.Token();
        await using var host = HostProcess.Start("--mode", "nick-broadcast", "--host", "127.0.0.1", "--port", "0", "--http-port", "0");
        await host.WaitForBannerAsync(ct);
        using var http = new HttpClient();
        var url = $"http://127.0.0.1:{host.HttpPort}/metrics";
        var before = await PrometheusScrape.GetAsync(http, url, ct);

        await using var alice = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/alice", ct);
        await alice.ReceiveEventAsync("users", ct);
        await using var bob = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/bob", ct);
        await bob.ReceiveEventAsync("users", ct);
        await alice.SendJsonAsync(new { msg = "hi bob" }, ct);
        await bob.ReceiveEventAsync("message", ct);
        await alice.SendJsonAsync(new { msg = "still there?" }, ct);
        await bob.ReceiveEventAsync("message", ct);
        await Assert.ThrowsAsync<WebSocketException>(async () => await TypedClient.ConnectAsync(host.WebSocketPort, "/no-such-path", ct));

        // The totals are read when scraped; the last delivery is counted just after it is queued, so scrape until it shows.
        PrometheusScrape after;
        do
        {
            after = await PrometheusScrape.GetAsync(http, url, ct);
        }
        while (after.Value("fleck_chat_deliveries_total") < 2 + 2 || after.Value("fleck_chat_handshakes_refused_total", "reason=\"not_found\"") < 1);

        Assert.That(before.Value("fleck_chat_connections"), Is.Zero);
        Assert.That(before.Value("fleck_chat_messages_received_total"), Is.Zero);
        Assert.That(before.Value("fleck_chat_handshakes_refused_total"), Is.Zero, "every reason is reported, at zero, before any refusal");
        Assert.That(after.Value("fleck_chat_connections"), Is.EqualTo(2));
        Assert.That(after.Value("fleck_chat_members"), Is.EqualTo(2));
        Assert.That(after.Value("fleck_chat_messages_received_total"), Is.EqualTo(2));
        Assert.That(after.Value("fleck_chat_bytes_sent_bytes_total"), Is.Positive);
        Assert.That(after.Value("fleck_chat_slow_consumers_total"), Is.Zero);
        Assert.That(after.Value("fleck_chat_handshakes_refused_total", "reason=\"not_found\""), Is.EqualTo(1));
        Assert.That(after.Value("fleck_chat_handshakes_refused_total", "reason=\"origin\""), Is.Zero);
        Assert.That(after.Names, Has.Some.StartsWith("dotnet_gc_collections"), "the runtime's GC series");
        Assert.That(after.Names, Has.Some.StartsWith("dotnet_thread_pool"), "the runtime's thread pool series");
    }

    [Test]
    public async Task The_metrics_page_shares_the_port_with_the_pages_and_both_keep_answering()
    {
        var ct = TestTimeouts.Token();
        await using var host = HostProcess.Start("--mode", "broadcast", "--host", "127.0.0.1", "--port", "0", "--http-port", "0");
        await host.WaitForBannerAsync(ct);
        using var http = new HttpClient();

        var metrics = await http.GetAsync($"http://127.0.0.1:{host.HttpPort}/metrics", ct);
        var metricsByName = await http.GetAsync($"http://localhost:{host.HttpPort}/metrics", ct);
        var page = await http.GetAsync($"http://127.0.0.1:{host.HttpPort}/chat", ct);
        var health = await http.GetAsync($"http://127.0.0.1:{host.HttpPort}/healthz", ct);

        Assert.That(metrics.IsSuccessStatusCode, Is.True);
        Assert.That(metrics.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
        Assert.That(metricsByName.IsSuccessStatusCode, Is.True, "the loopback answers to localhost on /metrics as on the pages");
        Assert.That(page.IsSuccessStatusCode, Is.True);
        Assert.That(health.IsSuccessStatusCode, Is.True);
    }
}
