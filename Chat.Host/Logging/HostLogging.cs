using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Fleck.Chat.Host.Logging;

/// <summary>
/// The host's console logging: one line per entry with the time, at the level --log-level asks for,
/// written by <see cref="SanitizingConsoleFormatter"/> so no value from a client can break a line
/// or fill the log.
/// </summary>
internal static class HostLogging
{
    public static ILoggerFactory Create(LogLevel minimum) => Create(minimum, TimeProvider.System);

    internal static ILoggerFactory Create(LogLevel minimum, TimeProvider clock) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(minimum)
            .AddConsole(o => o.FormatterName = SanitizingConsoleFormatter.FormatterName);
        // Registered by factory rather than AddConsoleFormatter<T, TOptions>, which binds options from
        // configuration by reflection and is not safe for the native (AOT) build.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter, SanitizingConsoleFormatter>(_ => new SanitizingConsoleFormatter(clock)));
    });
}
