using System.Net;
using System.Net.Sockets;
using Fleck.Chat.Host.Http.Kestrel;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Host.Http;

/// <summary>
/// The pages port: Kestrel, with <see cref="MetricsEndpoint"/> on <c>/metrics</c> and
/// <see cref="StaticFileServer"/> on everything else, bounded by <see cref="PageServerLimits"/>.
/// The whole pipeline is built before Kestrel binds, so every path answers from the first moment
/// any does; stopping goes the other way round (Kestrel, then the metrics).
/// </summary>
internal sealed class PageServer : IAsyncDisposable
{
    private static readonly TimeSpan RefusalReportPeriod = TimeSpan.FromSeconds(10);

    // Requests still running when the pages stop get this long to finish; the pages' are all short.
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan BodyRateGrace = TimeSpan.FromSeconds(15);

    private readonly WebApplication _app;
    private readonly MetricsEndpoint _metrics;
    private readonly RefusedConnections _refused;
    private bool _disposed;

    private PageServer(WebApplication app, MetricsEndpoint metrics, RefusedConnections refused, int port)
    {
        _app = app;
        _metrics = metrics;
        _refused = refused;
        Port = port;
    }

    /// <summary>The bound port (the one the system chose when asked for port 0).</summary>
    public int Port { get; }

    /// <summary>Builds the pipeline and then binds <paramref name="endpoint"/>; throws <see cref="HostStartException"/> when it cannot.</summary>
    public static async Task<PageServer> StartAsync(IPEndPoint endpoint, PageServerLimits limits, StaticFileServer pages, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var refused = new RefusedConnections(loggerFactory.CreateLogger("Chat.Host.Http"), limits.MaxConnections, RefusalReportPeriod);
        var logging = new KestrelLogging(loggerFactory, refused);
        var metrics = MetricsEndpoint.Create();
        WebApplication? app = null;
        try
        {
            app = Build(endpoint, limits, logging);
            // Every answer, the metrics' and Kestrel-made ones included, tells the browser not to guess its type.
            app.Use(next => context =>
            {
                context.Response.Headers.XContentTypeOptions = "nosniff";
                return next(context);
            });
            metrics.MapTo(app);
            app.Run(pages.ServeAsync);

            logging.Binding = true;
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            logging.Binding = false;
            return new PageServer(app, metrics, refused, BoundPort(app));
        }
        catch (Exception ex)
        {
            logging.Binding = false;
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }
            metrics.Dispose();
            refused.Dispose();
            if (ex is IOException or SocketException)
            {
                throw new HostStartException($"cannot serve pages on {endpoint}: {ex.Message}", ex);
            }
            throw;
        }
    }

    private static WebApplication Build(IPEndPoint endpoint, PageServerLimits limits, ILoggerFactory logging)
    {
        // The empty builder reads no configuration files or environment: the command line alone decides.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(logging);
        builder.Services.AddSingleton<IHostLifetime, NoConsoleLifetime>();
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = StopTimeout);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            options.Limits.MaxConcurrentConnections = limits.MaxConnections;
            options.Limits.RequestHeadersTimeout = limits.HeadersTimeout;
            options.Limits.KeepAliveTimeout = limits.KeepAliveTimeout;
            // Kestrel's own floor on a body's rate (240 B/s) stays, but with a grace longer than the
            // API's 10 s for a whole body, so a stalled body gets the API's 408 answer first, as always.
            options.Limits.MinRequestBodyDataRate = new MinDataRate(240, BodyRateGrace);
            // HTTP/1.1 only, as the pages have always been served: no cleartext HTTP/2 to bound separately.
            options.Listen(endpoint, listen => listen.Protocols = HttpProtocols.Http1);
        });
        return builder.Build();
    }

    private static int BoundPort(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First()).Port;
    }

    /// <summary>Stops listening (bounded wait for requests under way), then stops the metrics.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        using (var timeout = new CancellationTokenSource(StopTimeout))
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        await _app.DisposeAsync().ConfigureAwait(false);
        _metrics.Dispose();
        _refused.Dispose();
    }
}
