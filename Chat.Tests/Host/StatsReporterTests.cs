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

        public bool TryRead(out string? line) => _lines.Reader.TryRead(out line);
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
        string line;
        do
        {
            line = await log.NextAsync(ct);
        }
        while (!ActiveSummary().IsMatch(line));

        // Let the last counts settle, then nothing happens: no further line may appear.
        await Task.Delay(period * 3, ct);
        while (log.TryRead(out _))
        {
        }
        await Task.Delay(period * 5, ct);
        var logged = log.TryRead(out var extra);

        Assert.That(line, Does.Match(@" msg/s in, \d+\.\d deliveries/s, \d+ B/s out$"));
        Assert.That(logged, Is.False, extra);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^Information: 2 members, 2 connections, [1-9][0-9]*\.[0-9] msg/s in")]
    private static partial System.Text.RegularExpressions.Regex ActiveSummary();
}
