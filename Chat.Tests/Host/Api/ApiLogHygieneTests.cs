using System.Net;
using Fleck.Chat.Host.Logging;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Host.Api;

/// <summary>What the real host writes to its console when an API caller names a user with line breaks, terminal escapes and 60 KB of text.</summary>
[CancelAfter(60_000)]
public sealed class ApiLogHygieneTests
{
    [Test]
    public async Task A_hostile_user_name_in_a_disconnect_reaches_the_log_escaped_and_cut_on_one_line()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await ApiHost.StartAsync("nick-broadcast", ct, "--log-level", "debug");
        using var api = new ApiClient(host.HttpPort, ApiHost.Key);
        var user = "evil\rFORGED 00:00:00 crit: Chat.Host[0] pwned\u001b[31m" + new string('z', 60_000);

        var answer = await api.PostJsonAsync("/api/disconnect", new { user }, ct);
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK));

        // The console logger writes from its own thread: wait for the line to come through.
        string? line = null;
        while (line is null)
        {
            ct.ThrowIfCancellationRequested();
            line = Lines(host.Stdout).FirstOrDefault(l => l.Contains("API: disconnecting", StringComparison.Ordinal));
            if (line is null)
            {
                await Task.Delay(50, ct);
            }
        }

        var output = host.Stdout;
        Assert.That(line, Does.Contain("API: disconnecting evil\\rFORGED 00:00:00 crit: Chat.Host[0] pwned\\u001b[31mzzz"), "the CR did not end the line");
        Assert.That(line, Does.Contain("more) on every node"), "the name was cut and the rest of the message kept");
        Assert.That(line, Has.Length.LessThan(LogText.MaxValueLength + 200));
        Assert.That(output, Does.Not.Contain('\u001b'), "no raw escape reached the console");
        Assert.That(Lines(output).Where(l => l.StartsWith("FORGED", StringComparison.Ordinal)), Is.Empty, "no forged line");
        Assert.That(Lines(output).Max(l => l.Length), Is.LessThanOrEqualTo(LogText.MaxTextLength + 200), "no line past the cut");
    }

    private static string[] Lines(string output) => output.Split(Environment.NewLine);
}
