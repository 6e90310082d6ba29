using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Host.Logging;

/// <summary>The host's console logging: one line per entry with the time, at the level --log-level asks for.</summary>
internal static class HostLogging
{
    public static ILoggerFactory Create(LogLevel minimum) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(minimum)
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        }));
}
