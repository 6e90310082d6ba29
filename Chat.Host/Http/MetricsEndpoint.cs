using Microsoft.AspNetCore.Builder;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Fleck.Chat.Host.Http;

/// <summary>
/// <c>GET /metrics</c> on the pages port, in the Prometheus text format: the chat's <c>Fleck.Chat</c>
/// meter and the .NET runtime's own (GC, thread pool, JIT, exceptions), exported by OpenTelemetry.
/// It is one branch of the pages' pipeline, mapped before Kestrel listens, so it answers from the
/// first moment the pages do.
/// </summary>
internal sealed class MetricsEndpoint : IDisposable
{
    private const string Path = "/metrics";

    private readonly MeterProvider _provider;

    private MetricsEndpoint(MeterProvider provider) => _provider = provider;

    /// <summary>Starts collecting; nothing is served until <see cref="MapTo"/> puts the endpoint in a pipeline.</summary>
    public static MetricsEndpoint Create() => new(Sdk.CreateMeterProviderBuilder()
        .AddMeter(ChatServer.MeterName)
        .AddRuntimeInstrumentation()
        .AddPrometheusExporter(options => options.ScrapeEndpointPath = Path)
        .Build());

    /// <summary>Answers <c>/metrics</c> in <paramref name="app"/>; every other path goes on down the pipeline.</summary>
    public void MapTo(IApplicationBuilder app) =>
        app.UseOpenTelemetryPrometheusScrapingEndpoint(_provider, predicate: null, path: Path, configureBranchedPipeline: null, optionsName: null);

    public void Dispose() => _provider.Dispose();
}
