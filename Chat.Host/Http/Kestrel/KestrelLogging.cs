using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Host.Http.Kestrel;

/// <summary>
/// The logger factory Kestrel and the hosting it runs in are given: the host's own, with every
/// <c>Microsoft.*</c> category held to Warning and up whatever --log-level says (the pages' access
/// log is the host's own Debug line per request, as before), and the one Warning Kestrel writes per
/// refused connection counted by <see cref="RefusedConnections"/> instead of written.
/// </summary>
internal sealed class KestrelLogging(ILoggerFactory inner, RefusedConnections refused) : ILoggerFactory
{
    private const string KestrelCategory = "Microsoft.AspNetCore.Server.Kestrel";

    private readonly RefusedConnections _refused = refused;

    /// <summary>
    /// While Kestrel binds, a failure is thrown to the host, which reports it as one line; Kestrel's
    /// and the hosting's own entries for it (with the stack trace) would only repeat it.
    /// </summary>
    public bool Binding { get; set; }

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName.StartsWith("Microsoft.", StringComparison.Ordinal)
            ? new Capped(logger, this, categoryName.StartsWith(KestrelCategory, StringComparison.Ordinal))
            : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    /// <summary>The host owns the inner factory and disposes it.</summary>
    public void Dispose()
    {
    }

    private sealed class Capped(ILogger inner, KestrelLogging owner, bool kestrel) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (kestrel && eventId.Name == "ConnectionRejected")
            {
                owner._refused.Add();
                return;
            }
            if (owner.Binding && exception is not null)
            {
                return;
            }
            if (IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
