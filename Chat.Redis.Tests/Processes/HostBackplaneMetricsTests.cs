using System.Globalization;
using Fleck.Chat.Protocol;
using Fleck.Chat.Redis.Tests.Support;

namespace Fleck.Chat.Redis.Tests.Processes;

/// <summary>
/// The backplane's instruments as an operator sees them: <c>GET /metrics</c> of a Chat.Host process
/// started with <c>--redis</c>, against a real redis-server that the test can stop.
/// </summary>
[CancelAfter(90_000)]
public sealed class HostBackplaneMetricsTests
{
    private const string Errors = "fleck_chat_backplane_errors_total";
    private const string PublishCount = "fleck_chat_backplane_publish_duration_seconds_count";
    private const string PublishSum = "fleck_chat_backplane_publish_duration_seconds_sum";

    private static string MetricsUrl(HostProcess host) => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{host.HttpPort}/metrics");

    /// <summary>Scrapes until <paramref name="name"/> (with <paramref name="label"/>) reaches <paramref name="atLeast"/>: a scrape may be answered from just before the last change.</summary>
    private static async Task<PrometheusScrape> ScrapeUntilAsync(HttpClient http, HostProcess host, string name, double atLeast, CancellationToken ct, string label = "")
    {
        double? last = null;
        try
        {
            while (true)
            {
                var scrape = await PrometheusScrape.GetAsync(http, MetricsUrl(host), ct);
                last = scrape.Value(name, label);
                if (last >= atLeast)
                {
                    return scrape;
                }
                await Task.Delay(50, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Assert.Fail($"{name} {label} never reached {atLeast}; last scraped: {(last is null ? "absent" : last)}");
            throw;
        }
    }

    [Test]
    public async Task Each_message_handed_to_redis_records_one_publish_time()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var cluster = await HostCluster.StartAsync(1, "broadcast", ct, "--rate", "0");
        var host = cluster.Hosts[0];
        using var http = new HttpClient();
        await using var client = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket", ct);
        var before = await PrometheusScrape.GetAsync(http, MetricsUrl(host), ct);

        const int Messages = 5;
        for (var i = 0; i < Messages; i++)
        {
            await client.SendTextAsync($"message {i}", ct);
            Assert.That(await client.ReceiveTextAsync(ct), Is.EqualTo($"message {i}"));
        }
        var after = await ScrapeUntilAsync(http, host, PublishCount, Messages, ct);

        Assert.That(before.Value(PublishCount) ?? 0, Is.Zero, "nothing published before the first message");
        Assert.That(after.Value(PublishCount), Is.EqualTo(Messages), "one publish per message");
        Assert.That(after.Value(PublishSum), Is.Positive, "the time it took");
        Assert.That(after.Value(Errors) ?? 0, Is.Zero, "redis was up throughout");
    }

    [Test]
    public async Task A_join_refused_because_redis_is_stopped_counts_one_backplane_error_for_the_claim()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var cluster = await HostCluster.StartAsync(1, "private", ct, "--rate", "0");
        var (redis, host) = (cluster.Redis, cluster.Hosts[0]);
        using var http = new HttpClient();
        await using var alice = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/alice", ct);
        await alice.ReceiveEventAsync("users", ct);
        var before = await PrometheusScrape.GetAsync(http, MetricsUrl(host), ct);

        redis.Kill();
        await using var dave = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/dave", ct);
        var error = await dave.ReceiveEventAsync("error", ct);
        await dave.Closed.Task.WaitAsync(ct);
        var after = await ScrapeUntilAsync(http, host, Errors, 1, ct, "operation=\"claim\"");

        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.Unavailable));
        Assert.That(before.Value(Errors) ?? 0, Is.Zero, "no error while redis was up");
        Assert.That(after.Value(Errors, "operation=\"claim\""), Is.EqualTo(1), "dave's claim, once");
        Assert.That(after.Value(Errors), Is.EqualTo(1), "and nothing else failed");
    }
}
