using System.Security.Cryptography.X509Certificates;
using Fleck.Chat.Host.Cli;
using Fleck.Chat.Host.Limits;
using Fleck.Chat.Host.Logging;
using Fleck.Chat.Scaling;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Host;

/// <summary>
/// The program's life: start the chat and its pages, print the banner, log a summary now and then,
/// and on Ctrl+C or SIGTERM close every client with 1001 and exit 0. A problem the user can fix is
/// reported as one line on stderr with exit code 1.
/// </summary>
internal static class ChatHost
{
    private static readonly TimeSpan SummaryPeriod = TimeSpan.FromSeconds(10);

    // With two quiet readings, a burst of connections is over half a second to three quarters of a second after its last client.
    private static readonly TimeSpan TrimCheckPeriod = TimeSpan.FromMilliseconds(250);

    public static async Task<int> RunAsync(HostSettings settings, CancellationToken cancellationToken)
    {
        if (OpenFileLimit.Soft() is { } openFiles)
        {
            var budget = DescriptorBudget.Decide(openFiles, settings.MaxConnections, settings.MaxConnectionsGiven, settings.MaxPageConnections, settings.MaxPageConnectionsGiven);
            if (budget.Error is { } error)
            {
                await Console.Error.WriteLineAsync(error).ConfigureAwait(false);
                return 1;
            }
            if (budget.Warning is { } warning)
            {
                await Console.Error.WriteLineAsync(warning).ConfigureAwait(false);
                settings = settings with { MaxConnections = budget.WebSockets, MaxPageConnections = budget.Pages };
            }
        }
        using var shutdown = new ShutdownSignal(cancellationToken);
        using var loggerFactory = HostLogging.Create(settings.LogLevel);
        var logger = loggerFactory.CreateLogger("Chat.Host");
        X509Certificate2? certificate = null;
        try
        {
            if (settings.CertificatePath is { } certificatePath)
            {
                certificate = CertificateLoader.Load(certificatePath, settings.CertificatePassword);
            }
            var backplane = await ConnectBackplaneAsync(settings, loggerFactory, shutdown.Token).ConfigureAwait(false);
            var bans = await ConnectBansAsync(settings, backplane, shutdown.Token).ConfigureAwait(false);
            await using var chat = await HostedChat.StartAsync(settings, loggerFactory, certificate, backplane, shutdown.Token, bans).ConfigureAwait(false);
            Console.WriteLine(Banner(chat, settings) + (settings.ApiKey is null ? "" : $"; HTTP API at http://{Http.PageAddress.BrowsableHost(settings.Address)}:{chat.HttpPort}/api/"));

            await using (new StatsReporter(chat.Chat, logger, SummaryPeriod))
            await using (new AcceptBurstTrim(() => chat.Chat.GetStatistics().Connections, logger, TrimCheckPeriod))
            {
                await shutdown.WaitAsync().ConfigureAwait(false);
            }
            logger.LogInformation("Shutting down: closing {Count} connections", chat.Chat.GetStatistics().Connections);
            await chat.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return 0;
        }
        catch (HostStartException ex)
        {
            await Console.Error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException) when (shutdown.Token.IsCancellationRequested)
        {
            return 0; // Stopped while still starting: nobody was connected yet.
        }
        finally
        {
            certificate?.Dispose();
        }
    }

    /// <summary>Null keeps the chat in this process; --redis shares it with other hosts; --store keeps it in a file.</summary>
    private static async Task<IChatBackplane?> ConnectBackplaneAsync(HostSettings settings, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        if (settings.Store is { } file)
        {
            try
            {
                return await StoreConnector.OpenAsync(file, loggerFactory, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new HostStartException($"cannot open the store {file}: {ex.Message}", ex);
            }
        }
        if (settings.Redis is not { } redis)
        {
            return null;
        }
        try
        {
            return await RedisConnector.ConnectAsync(redis, loggerFactory, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new HostStartException($"cannot connect to Redis at {redis}: {ex.Message}", ex);
        }
    }

    /// <summary>Where the bans are kept: beside the streams (the --store file, or Redis); null keeps them in memory.</summary>
    private static async Task<IBanList?> ConnectBansAsync(HostSettings settings, IChatBackplane? backplane, CancellationToken cancellationToken)
    {
        if (settings.Store is { } file)
        {
            try
            {
                return await StoreConnector.OpenBansAsync(file, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (backplane is not null)
                {
                    await backplane.DisposeAsync().ConfigureAwait(false);
                }
                throw new HostStartException($"cannot open the bans in the store {file}: {ex.Message}", ex);
            }
        }
        return settings.Redis is not null && backplane is not null ? RedisConnector.BansOf(backplane) : null;
    }

    private static string Banner(HostedChat chat, HostSettings settings)
    {
        var shared = settings.Redis is not null;
        var identity = chat.Chat.Options.Transport.Authenticator is not null;
        var path = chat.Chat.Mode.Name == "broadcast" || identity ? "" : "/<nickname>";
        var page = identity ? chat.PageUrl + "#access_token=<token>" : chat.PageUrl;
        return $"Fleck.Chat {chat.Chat.Mode.Name} mode: open {page}  (WebSocket {chat.WebSocketUrl}{path}){(shared ? ", shared through Redis" : "")}{(settings.Store is { } store ? $", history kept in {store}" : "")}{(identity ? ", sign-in required" : "")}";
    }
}
