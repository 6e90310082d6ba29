using Fleck.Chat.Host.Limits;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Host;

/// <summary>
/// The connections the host may hold must fit in the file descriptors it may open: defaults are
/// lowered to fit with one warning, a limit the operator chose is never lowered, and one that cannot
/// fit stops the start with one error line.
/// </summary>
[CancelAfter(60_000)]
[Parallelizable(ParallelScope.All)]
public sealed class DescriptorBudgetTests
{
    [Test]
    public void Limits_that_fit_are_kept_without_a_word()
    {
        var decision = DescriptorBudget.Decide(65_536, 50_000, false, 1_000, false);

        Assert.That(decision, Is.EqualTo(new DescriptorBudget.Decision(50_000, 1_000)));
    }

    [Test]
    public void Defaults_that_do_not_fit_are_lowered_the_pages_to_a_quarter_of_what_is_free()
    {
        var decision = DescriptorBudget.Decide(1_024, 50_000, false, 1_000, false);

        // 1,024 - 320 kept for the runtime = 704 free: a quarter to the pages, the rest to the WebSockets.
        Assert.That(decision.Pages, Is.EqualTo(176));
        Assert.That(decision.WebSockets, Is.EqualTo(528));
        Assert.That(decision.Error, Is.Null);
        Assert.That(decision.Warning, Does.StartWith("warning: only 1024 file descriptors may be open (ulimit -n)")
            .And.Contain("holding at most 528 (--max-connections) and 176 (--max-page-connections)")
            .And.Contain("ulimit -n 51320").And.Contain("LimitNOFILE=51320"));
    }

    [Test]
    public void A_page_cap_below_a_quarter_is_not_raised_when_the_websockets_are_lowered()
    {
        var decision = DescriptorBudget.Decide(20_000, 50_000, false, 1_000, false);

        Assert.That(decision.Pages, Is.EqualTo(1_000));
        Assert.That(decision.WebSockets, Is.EqualTo(20_000 - 320 - 1_000));
    }

    [Test]
    public void A_websocket_limit_the_operator_chose_is_kept_and_the_default_page_cap_gives_way()
    {
        var decision = DescriptorBudget.Decide(1_024, 600, true, 1_000, false);

        Assert.That(decision.WebSockets, Is.EqualTo(600));
        Assert.That(decision.Pages, Is.EqualTo(1_024 - 320 - 600));
        Assert.That(decision.Warning, Is.Not.Null);
    }

    [Test]
    public void A_page_cap_the_operator_chose_is_kept_and_the_default_websocket_limit_gives_way()
    {
        var decision = DescriptorBudget.Decide(1_024, 50_000, false, 500, true);

        Assert.That(decision.Pages, Is.EqualTo(500));
        Assert.That(decision.WebSockets, Is.EqualTo(1_024 - 320 - 500));
    }

    [TestCase(5_000, true, 1_000, false, "--max-connections 5000 leaves no descriptor for the pages")]
    [TestCase(50_000, false, 2_000, true, "--max-page-connections 2000 leaves no descriptor for the WebSockets")]
    [TestCase(500, true, 500, true, "--max-connections 500 and --max-page-connections 500 need 1320 file descriptors")]
    public void A_limit_the_operator_chose_that_cannot_fit_is_refused(int webSockets, bool webSocketsGiven, int pages, bool pagesGiven, string expected)
    {
        var decision = DescriptorBudget.Decide(1_024, webSockets, webSocketsGiven, pages, pagesGiven);

        Assert.That(decision.Error, Does.StartWith("error: ").And.Contain(expected).And.Contain("ulimit -n"));
        Assert.That(decision.Warning, Is.Null);
    }

    [Test]
    public void A_limit_too_small_for_anything_is_refused()
    {
        var decision = DescriptorBudget.Decide(130, 50_000, false, 1_000, false);

        Assert.That(decision.Error, Does.StartWith("error: only 130 file descriptors may be open"));
    }

    [Test]
    public void The_soft_limit_is_read_from_the_kernels_table_of_limits()
    {
        string[] lines =
        [
            "Limit                     Soft Limit           Hard Limit           Units     ",
            "Max processes             94165                94165                processes ",
            "Max open files            1024                 524288               files     ",
        ];

        Assert.That(OpenFileLimit.Parse(lines), Is.EqualTo(1_024));
        Assert.That(OpenFileLimit.Parse(["Max open files            unlimited            unlimited            files"]), Is.Null);
    }

    [Test]
    public async Task Under_ulimit_1024_the_host_says_once_what_it_lowered_and_serves()
    {
        var ct = TestTimeouts.Token();
        await using var host = HostProcess.StartWithOpenFileLimit(1_024, HostProcess.OnLoopback("broadcast"));
        await host.WaitForBannerAsync(ct);
        using var http = new HttpClient();

        using var health = await http.GetAsync($"http://127.0.0.1:{host.HttpPort}/healthz", ct);

        Assert.That(health.IsSuccessStatusCode, Is.True);
        Assert.That(host.AllStderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            "warning: only 1024 file descriptors may be open (ulimit -n), fewer than the 51320 that 50000 WebSocket and 1000 page connections need; "
            + "holding at most 528 (--max-connections) and 176 (--max-page-connections) instead; "
            + "to hold them all, raise the limit to at least 51320 (ulimit -n 51320, or LimitNOFILE=51320 in the systemd unit)",
        }));
    }

    [Test]
    public async Task Under_ulimit_1024_a_websocket_limit_that_cannot_fit_stops_the_start_with_one_line()
    {
        var ct = TestTimeouts.Token();
        await using var host = HostProcess.StartWithOpenFileLimit(1_024, [.. HostProcess.OnLoopback("broadcast"), "--max-connections", "5000"]);

        var code = await host.WaitForExitAsync(ct);

        Assert.That(code, Is.EqualTo(1));
        Assert.That(host.AllStderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1));
        Assert.That(host.AllStderr, Does.StartWith("error: only 1024 file descriptors may be open").And.Contain("--max-connections 5000"));
        Assert.That(host.Stdout, Is.Empty);
    }
}
