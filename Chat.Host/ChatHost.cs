using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Fleck.Chat.Host.Cli;
using Fleck.Chat.Host.Http;
using Fleck.Chat.Host.Logging;
using Fleck.Chat.Scaling;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Host;

/// <summary>Runs the chat and its pages until Ctrl+C or SIGTERM, then closes every client with 1001 and exits 0.</summary>
internal static class ChatHost
{
    public static async Task<int> RunAsync(HostSettings settings, CancellationToken cancellationToken)
    {
        using var loggerFactory = LoggerFactory.Create(b => b
            .SetMinimumLevel(settings.LogLevel)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            }));
        var logger = loggerFactory.CreateLogger("Chat.Host");

        X509Certificate2? certificate = null;
        if (settings.CertificatePath is { } certPath)
        {
            try
            {
                certificate = LoadCertificate(certPath, settings.CertificatePassword);
            }
            catch (Exception ex) when (ex is IOException or CryptographicException or UnauthorizedAccessException or ArgumentException)
            {
                return Fail($"cannot read certificate {certPath}: {ex.Message}");
            }
        }

        IChatBackplane? backplane = null;
        if (settings.Redis is { } redis)
        {
            try
            {
                backplane = await RedisConnector.ConnectAsync(redis, loggerFactory, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return Fail($"cannot connect to Redis at {redis}: {ex.Message}");
            }
        }

        ChatModes.TryCreate(settings.Mode, out var mode);
        var options = new ChatServerOptions
        {
            Transport = new()
            {
                Address = settings.Address,
                Port = settings.WebSocketPort,
                MaxMessageBytes = settings.MaxMessageBytes,
                MaxConnections = settings.MaxConnections,
                AllowedOrigins = settings.AllowedOrigins,
                Certificate = certificate,
            },
            HistorySize = settings.History,
            MessagesPerSecond = settings.Rate,
            MessageBurst = settings.Burst,
            Backplane = backplane,
        };
        await using var chat = new ChatServer(mode!, options, loggerFactory);
        try
        {
            await chat.StartAsync(cancellationToken);
        }
        catch (SocketException ex)
        {
            return Fail($"cannot listen for WebSockets on {Format(settings.Address, settings.WebSocketPort)}: {ex.Message}");
        }

        var httpPort = settings.HttpPort == 0 ? FreePort(settings.Address) : settings.HttpPort;
        var started = Stopwatch.StartNew();
        var secure = certificate is not null;
        await using var pages = new StaticFileServer(
            HttpPrefix(settings.Address, httpPort), settings.StaticFolder, PageFor(mode!.Name),
            () => new HealthReport("ok", mode.Name, chat.GetStatistics().Members, chat.GetStatistics().Connections, (long)started.Elapsed.TotalSeconds),
            () => new PageConfig(mode.Name, chat.Port, "/websocket", secure),
            loggerFactory.CreateLogger("Chat.Host.Http"));
        foreach (var extra in ExtraPrefixes(settings.Address, httpPort))
        {
            pages.AddPrefix(extra);
        }
        try
        {
            pages.Start();
        }
        catch (HttpListenerException ex)
        {
            return Fail($"cannot serve pages on {Format(settings.Address, httpPort)}: {ex.Message}");
        }

        var pageHost = BrowsableHost(settings.Address);
        Console.WriteLine($"Fleck.Chat {mode.Name} mode: open http://{pageHost}:{httpPort}/chat  (WebSocket {(secure ? "wss" : "ws")}://{pageHost}:{chat.Port}/websocket){(backplane is null ? "" : ", shared through Redis")}");

        await using var stats = new StatsReporter(chat, logger, TimeSpan.FromSeconds(10));
        await WaitForShutdownAsync(cancellationToken);
        logger.LogInformation("Shutting down: closing {Count} connections", chat.GetStatistics().Connections);
        await chat.StopAsync(CancellationToken.None);
        return 0;
    }

    /// <summary>Ctrl+C and SIGTERM both end the wait; the default handlers (which would kill the process) are cancelled.</summary>
    private static async Task WaitForShutdownAsync(CancellationToken cancellationToken)
    {
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var registration = cancellationToken.Register(() => stop.TrySetResult());
        await stop.Task;
    }

    private static X509Certificate2 LoadCertificate(string path, string? password)
    {
        var text = File.ReadAllText(path);
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            var pem = X509Certificate2.CreateFromPemFile(path);
            // SslStream on Linux needs the key in a form it can keep: round-trip through PKCS#12.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pfx), null);
        }
        return X509CertificateLoader.LoadPkcs12FromFile(path, password);
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("error: " + message);
        return 1;
    }

    private static string PageFor(string mode) => mode + ".html";

    private static string HttpPrefix(IPAddress address, int port) =>
        address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? $"http://+:{port}/" : $"http://{Format(address, port)}/";

    /// <summary>On loopback, also answer to "localhost", which HttpListener otherwise refuses by Host header.</summary>
    private static IEnumerable<string> ExtraPrefixes(IPAddress address, int port) =>
        address.Equals(IPAddress.Loopback) ? [$"http://localhost:{port}/"] : [];

    private static string BrowsableHost(IPAddress address) =>
        address.Equals(IPAddress.Any) ? "127.0.0.1" : address.Equals(IPAddress.IPv6Any) ? "[::1]" : address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    private static string Format(IPAddress address, int port) => new IPEndPoint(address, port).ToString();

    private static int FreePort(IPAddress address)
    {
        using var probe = new TcpListener(address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : address.Equals(IPAddress.Any) ? IPAddress.Loopback : address, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
