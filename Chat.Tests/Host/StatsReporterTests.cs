using Fleck.Chat.Host.Logging;
using Fleck.Chat.Modes;
using Fleck.Chat.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Tests.Host;

/// <summary>The periodic summary line: members and rates from the server's counters, and silence while nothing happens.</summary>
[CancelAfter(30_000)]
public sealed partial class StatsReporterTests
{
    /// <summary>Keeps what was logged, in order; a real sink rather than a mock of the server.</summary>
    private sealed class LineCollector : ILogger
    {
        private readonly System.Threading.Channels.Channel<string> _lines = System.Threading.Channels.Channel.CreateUnbounded<string>();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _lines.Writer.TryWrite($"{logLevel}: {formatter(state, exception)}");

        public ValueTask<string> NextAsync(CancellationToken ct) => _lines.Reader.ReadAsync(ct);
    }

    [Test]
    public async Task A_summary_is_logged_after_activity_and_none_while_the_chat_is_idle()
    {
        var ct = TestTimeouts.Token();
        await using var fixture = await ChatFixture.StartAsync(new NickBroadcastMode());
        var log = new LineCollector();
        var period = TimeSpan.FromMilliseconds(200);
        await using var reporter = new StatsReporter(fixture.Server, log, period);

        var alice = await fixture.JoinAsync("alice", ct);
        var bob = await fixture.JoinAsync("bob", ct);
        await alice.SendJsonAsync(new { msg = "hello" }, ct);
        await bob.ReceiveEventAsync("message", ct);
        var active = await NextActiveSummaryAsync(log, whileIdle: false, ct);

        // Time is what this tests: for five periods nothing happens, and a line with nothing to
        // report must not appear. A line for counts that changed just after the last tick may.
        using (var idle = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            idle.CancelAfter(period * 5);
            while (await NextOrNullAsync(log, idle.Token) is { } line)
            {
                Assert.That(line, Does.Not.Match(IdleSummary()), "logged while the chat was idle");
            }
        }
        // The marker: activity again, and the reporter (still running) reports it next.
        await alice.SendJsonAsync(new { msg = "again" }, ct);
        await bob.ReceiveEventAsync("message", ct);
        await NextActiveSummaryAsync(log, whileIdle: true, ct);

        Assert.That(active, Does.Match(@" msg/s in, \d+\.\d deliveries/s, \d+ B/s out$"));
    }

    /// <summary>
    /// Skips lines for other changes (members joining) up to the summary of a message. When the chat
    /// was idle before, a skipped line may report late counts, but not nothing.
    /// </summary>
    private static async Task<string> NextActiveSummaryAsync(LineCollector log, bool whileIdle, CancellationToken ct)
    {
        while (true)
        {
            var line = await log.NextAsync(ct);
            if (ActiveSummary().IsMatch(line))
            {
                return line;
            }
            if (whileIdle)
            {
                Assert.That(line, Does.Not.Match(IdleSummary()), "logged while the chat was idle");
            }
        }
    }

    private static async Task<string?> NextOrNullAsync(LineCollector log, CancellationToken window)
    {
        try
        {
            return await log.NextAsync(window);
        }
        catch (OperationCanceledException) when (window.IsCancellationRequested)
        {
            return null;
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^Information: 2 members, 2 connections, [1-9][0-9]*\.[0-9] msg/s in")]
    private static partial System.Text.RegularExpressions.Regex ActiveSummary();

    [System.Text.RegularExpressions.GeneratedRegex(@" 0\.0 msg/s in, 0\.0 deliveries/s, 0 B/s out$")]
    private static partial System.Text.RegularExpressions.Regex IdleSummary();
}
