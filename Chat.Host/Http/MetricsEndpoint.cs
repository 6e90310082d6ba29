using System.Net;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Fleck.Chat.Host.Http;

/// <summary>
/// <c>GET /metrics</c> on the pages port, in the Prometheus text format: the chat's <c>Fleck.Chat</c>
/// meter and the .NET runtime's own (GC, thread pool, JIT, exceptions), exported by OpenTelemetry.
/// The exporter runs its own <see cref="HttpListener"/> with the prefix <c>/metrics/</c> on the same
/// port as the pages: the managed HttpListener shares one socket per port among every listener of
/// the process and routes each request to the longest matching prefix.
/// </summary>
internal sealed class MetricsEndpoint : IDisposable
{
    private readonly MeterProvider _provider;

    private MetricsEndpoint(MeterProvider provider) => _provider = provider;

    /// <summary>
    /// Starts answering <c>/metrics</c> beside the pages. <paramref name="pagePrefixes"/> are the pages'
    /// own prefixes (e.g. <c>http://127.0.0.1:8080/</c>); the endpoint takes the same hosts and port.
    /// </summary>
    public static MetricsEndpoint Start(IReadOnlyList<string> pagePrefixes)
    {
        var first = new Uri(pagePrefixes[0].Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal));
        var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(ChatServer.MeterName)
            .AddRuntimeInstrumentation()
            .AddPrometheusHttpListener(options =>
            {
                options.Port = first.Port;
                options.ScrapeEndpointPath = "/metrics";
                options.ConfigureHttpListener = (_, listener) =>
                {
                    // The exporter's own prefix is built from one host name; the pages' prefixes are
                    // the truth (the loopback also answers to localhost, a wildcard to any Host).
                    listener.Prefixes.Clear();
                    foreach (var prefix in pagePrefixes)
                    {
                        listener.Prefixes.Add(prefix + "metrics/");
                    }
                };
            })
            .Build();
        return new MetricsEndpoint(provider);
    }

    public void Dispose() => _provider.Dispose();
}
