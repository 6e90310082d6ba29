using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Fleck.Chat.Host.Logging;

/// <summary>
/// The host's console format: one line per entry, <c>HH:mm:ss level: category[event] message exception</c>
/// (the simple console's single-line look, without colours), with every value a client can put in a
/// log line escaped and cut by <see cref="LogText"/>: each argument of a structured message at
/// <see cref="LogText.MaxValueLength"/>, a message without a template and the exception text at
/// <see cref="LogText.MaxTextLength"/>.
/// </summary>
internal sealed class SanitizingConsoleFormatter(TimeProvider clock) : ConsoleFormatter(FormatterName)
{
    /// <summary>The name the console logger picks this formatter by.</summary>
    public const string FormatterName = "fleck-chat-sanitizing";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        var line = new StringBuilder(128);
        line.Append(clock.GetLocalNow().ToString("HH:mm:ss ", CultureInfo.InvariantCulture))
            .Append(LevelName(logEntry.LogLevel)).Append(": ");
        LogText.Append(line, logEntry.Category, LogText.MaxTextLength);
        line.Append('[').Append(logEntry.EventId.Id.ToString(CultureInfo.InvariantCulture)).Append("] ");
        if (!LogTemplate.TryAppend(line, logEntry.State))
        {
            LogText.Append(line, logEntry.Formatter(logEntry.State, logEntry.Exception), LogText.MaxTextLength);
        }
        if (logEntry.Exception is { } exception)
        {
            // As the simple console's single-line form does: the exception on the same line, its line breaks as spaces.
            line.Append(' ');
            LogText.Append(line, exception.ToString().Replace(Environment.NewLine, " ", StringComparison.Ordinal), LogText.MaxTextLength);
        }
        textWriter.Write(line.Append(Environment.NewLine));
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
