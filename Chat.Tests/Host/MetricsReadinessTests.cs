using System.Globalization;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Host;

/// <summary>
/// <c>/metrics</c> answers from the first moment the pages do: a scraper that polls <c>/healthz</c>
/// until the host is up and then scrapes never meets a 404. The routes used to be registered one
/// after the other on a port that already answered, so such a scrape could come too soon.
/// </summary>
[CancelAfter(600_000)]
[Parallelizable(ParallelScope.All)]
public sealed class MetricsReadinessTests
{
    private const int Starts = 50;

    [Test]
    public async Task Metrics_answer_200_the_moment_healthz_first_answers_on_every_one_of_50_starts()
    {
        var statuses = new List<int>();
        // Two hosts start at once, so the machine is busy while each comes up.
        for (var pair = 0; pair < Starts / 2; pair++)
        {
            statuses.AddRange(await Task.WhenAll(FirstScrapeAsync(), FirstScrapeAsync()));
        }

        Assert.That(statuses, Has.Count.EqualTo(Starts));
        Assert.That(statuses, Is.All.EqualTo(200));
    }

    /// <summary>Starts a host, polls /healthz as fast as it can until it first answers 200, then scrapes once.</summary>
    private static async Task<int> FirstScrapeAsync()
    {
        var ct = TestTimeouts.Token();
        // A port chosen here, so polling can begin before the host prints its banner.
        var port = LoopbackPorts.Next().ToString(CultureInfo.InvariantCulture);
        await using var host = HostProcess.Start("--mode", "broadcast", "--host", "127.0.0.1", "--port", "0", "--http-port", port);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            Assert.That(host.Process.HasExited, Is.False, () => "the host exited: " + host.AllStderr);
            try
            {
                using var health = await http.GetAsync("/healthz", ct);
                if ((int)health.StatusCode == 200)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
        }
        using var metrics = await http.GetAsync("/metrics", ct);
        return (int)metrics.StatusCode;
    }
}
