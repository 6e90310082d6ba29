using Fleck.Chat.Host.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleck.Chat.Tests.Host;

/// <summary>The host's console format: one line per entry, client-supplied values escaped and cut.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class SanitizingConsoleFormatterTests
{
    /// <summary>A clock stopped at 12:34:56 UTC, so the time prefix is known.</summary>
    private sealed class StoppedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 1, 2, 12, 34, 56, TimeSpan.Zero);

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }

    /// <summary>A logger that hands each entry, with the state the logging extensions built, straight to the formatter.</summary>
    private sealed class FormattingLogger : ILogger
    {
        private readonly SanitizingConsoleFormatter _formatter = new(new StoppedClock());
        private readonly StringWriter _output = new();

        public string Output => _output.ToString();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _formatter.Write(new LogEntry<TState>(logLevel, "Chat.Host", eventId, state, exception, formatter), null, _output);
    }

    private static string OneLine(FormattingLogger logger)
    {
        var output = logger.Output;
        Assert.That(output, Does.EndWith(Environment.NewLine));
        var line = output[..^Environment.NewLine.Length];
        Assert.That(line, Does.Not.Contain('\n').And.Not.Contain('\r'), "one entry is one line");
        return line;
    }

    [Test]
    public void The_line_has_the_time_level_category_event_and_message()
    {
        var logger = new FormattingLogger();

        logger.LogWarning(new EventId(7), "Node {NodeId} is gone; its {Count} members left", "n1", 1234);

        Assert.That(OneLine(logger), Is.EqualTo("12:34:56 warn: Chat.Host[7] Node n1 is gone; its 1234 members left"));
    }

    [TestCase("evil\rFORGED", "evil\\rFORGED")]
    [TestCase("a\nb", "a\\nb")]
    [TestCase("a\tb", "a\\tb")]
    [TestCase("\u001b[31mred", "\\u001b[31mred")]
    [TestCase("del\u007f", "del\\u007f")]
    [TestCase("csi\u009b31m", "csi\\u009b31m")]
    [TestCase("nul\0", "nul\\u0000")]
    [TestCase("txt\u202Eexe", "txt\\u202eexe")]
    [TestCase("zero\u200Bwidth", "zero\\u200bwidth")]
    [TestCase("iso\u2067late", "iso\\u2067late")]
    [TestCase("line\u2028sep", "line\\u2028sep")]
    [TestCase("bom\uFEFF", "bom\\ufeff")]
    [TestCase("tag\U000E0041", "tag\\U000e0041")]
    [TestCase("emoji 😀 and ü stay", "emoji 😀 and ü stay")]
    public void Control_and_format_characters_in_a_value_are_escaped(string user, string shown)
    {
        var logger = new FormattingLogger();

        logger.LogInformation("API: disconnecting {User} on every node", user);

        Assert.That(OneLine(logger), Is.EqualTo($"12:34:56 info: Chat.Host[0] API: disconnecting {shown} on every node"));
    }

    [Test]
    public void A_lone_surrogate_is_escaped()
    {
        var logger = new FormattingLogger();

        logger.LogInformation("user {User}", "a" + (char)0xD800 + "b");

        Assert.That(OneLine(logger), Does.EndWith("user a\\ud800b"));
    }

    [Test]
    public void A_long_value_is_cut_and_the_rest_of_the_message_kept()
    {
        var logger = new FormattingLogger();

        logger.LogInformation("API: disconnecting {User} on every node", new string('x', 60_000));

        var line = OneLine(logger);
        Assert.That(line, Does.Contain("API: disconnecting " + new string('x', LogText.MaxValueLength) + $"…({60_000 - LogText.MaxValueLength} more) on every node"));
        Assert.That(line, Has.Length.LessThan(400));
    }

    [Test]
    public void A_cut_never_splits_a_surrogate_pair()
    {
        var logger = new FormattingLogger();

        logger.LogInformation("{User}", new string('x', LogText.MaxValueLength - 1) + "😀😀");

        Assert.That(OneLine(logger), Does.EndWith(new string('x', LogText.MaxValueLength - 1) + "…(4 more)"));
    }

    [Test]
    public void A_message_without_a_template_is_escaped_and_cut_as_a_whole()
    {
        var logger = new FormattingLogger();
        var text = "plain\u001b" + new string('y', 10_000);

        logger.Log(LogLevel.Error, default, text, null, (s, _) => s);

        var line = OneLine(logger);
        Assert.That(line, Does.StartWith("12:34:56 fail: Chat.Host[0] plain\\u001byyy"));
        Assert.That(line, Does.EndWith($"…({text.Length - LogText.MaxTextLength} more)"));
    }

    [Test]
    public void Exception_text_is_escaped_on_the_same_line()
    {
        var logger = new FormattingLogger();

        logger.LogError(new InvalidOperationException("bad\u001b[2Jthing\rhere"), "Failed for {User}", "bob");

        var line = OneLine(logger);
        Assert.That(line, Does.StartWith("12:34:56 fail: Chat.Host[0] Failed for bob System.InvalidOperationException: bad\\u001b[2Jthing\\rhere"));
        Assert.That(line, Does.Not.Contain('\u001b'));
    }

    [Test]
    public void Format_specifiers_lists_nulls_and_escaped_braces_render_as_the_logging_library_does()
    {
        var logger = new FormattingLogger();

        logger.LogInformation("{{literal}} {Count:N0} {Names} {Missing} [{Padded,5}]", 12345, new[] { "a", "b\rc" }, null, "x");

        Assert.That(OneLine(logger), Does.EndWith("{literal} 12,345 a, b\\rc (null) [    x]"));
    }
}
