using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Fleck.Chat.Host.Cli;
using Fleck.Chat.Host.Http;
using Fleck.Chat.Host.Http.Api;
using Fleck.Chat.Identity;
using Fleck.Chat.Scaling;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Host;

/// <summary>
/// The chat and its pages, running: a <see cref="ChatServer"/> for the WebSockets and a
/// <see cref="StaticFileServer"/> for the pages, wired the way the command line asks. The program
/// and the browser tests both start the chat through this class, so they run the same wiring.
/// </summary>
internal sealed class HostedChat : IAsyncDisposable
{
    private readonly PageServer _pages;
    private readonly IPAddress _address;
    private readonly bool _secure;

    private HostedChat(ChatServer chat, PageServer pages, IPAddress address, bool secure)
    {
        Chat = chat;
        _pages = pages;
        _address = address;
        _secure = secure;
    }

    /// <summary>The chat server.</summary>
    public ChatServer Chat { get; }

    /// <summary>The port the pages are served on.</summary>
    public int HttpPort => _pages.Port;

    /// <summary>The bound WebSocket port.</summary>
    public int WebSocketPort => Chat.Port;

    /// <summary>URL of the running mode's page, e.g. <c>http://127.0.0.1:8080/chat</c>.</summary>
    public string PageUrl => $"http://{PageAddress.BrowsableHost(_address)}:{HttpPort}/chat";

    /// <summary>The WebSocket URL clients connect to (nickname modes add <c>/&lt;nickname&gt;</c>).</summary>
    public string WebSocketUrl => $"{(_secure ? "wss" : "ws")}://{PageAddress.BrowsableHost(_address)}:{WebSocketPort}/websocket";

    /// <summary>
    /// Starts the WebSocket server, then the pages with every route in place; throws
    /// <see cref="HostStartException"/> for a busy port or a bad identity flag. The chat owns
    /// <paramref name="backplane"/> once started; if the start fails, it is disposed here, so a store
    /// behind it is closed cleanly (and keeps its epochs). <paramref name="bans"/> is where bans are
    /// kept (null: in this process's memory).
    /// </summary>
    public static async Task<HostedChat> StartAsync(
        HostSettings settings,
        ILoggerFactory loggerFactory,
        X509Certificate2? certificate = null,
        IChatBackplane? backplane = null,
        CancellationToken cancellationToken = default,
        IBanList? bans = null)
    {
        try
        {
            return await StartChatAsync(settings, loggerFactory, certificate, backplane, bans, cancellationToken).ConfigureAwait(false);
        }
        catch when (backplane is not null)
        {
            // Disposing twice is harmless: the chat may already have left (disposed) it while failing.
            await backplane.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<HostedChat> StartChatAsync(
        HostSettings settings,
        ILoggerFactory loggerFactory,
        X509Certificate2? certificate,
        IChatBackplane? backplane,
        IBanList? bans,
        CancellationToken cancellationToken)
    {
        if (!ChatModes.TryCreate(settings.Mode, out var mode))
        {
            throw new HostStartException($"unknown mode '{settings.Mode}'");
        }
        var authenticator = JwtOptions.CreateAuthenticator(settings, loggerFactory);
        var chat = new ChatServer(mode!, ToOptions(settings, certificate, backplane, authenticator) with { Bans = bans }, loggerFactory);
        try
        {
            await chat.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            await chat.DisposeAsync().ConfigureAwait(false);
            throw new HostStartException($"cannot listen for WebSockets on {new IPEndPoint(settings.Address, settings.WebSocketPort)}: {ex.Message}", ex);
        }
        catch
        {
            await chat.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        try
        {
            var routes = Routes(settings, chat, certificate is not null, loggerFactory.CreateLogger("Chat.Host.Http"));
            var limits = new PageServerLimits(settings.MaxPageConnections, settings.PageHeadersTimeout, settings.PageKeepAliveTimeout);
            var pages = await PageServer.StartAsync(new IPEndPoint(settings.Address, settings.HttpPort), limits, routes, loggerFactory, cancellationToken).ConfigureAwait(false);
            return new HostedChat(chat, pages, settings.Address, certificate is not null);
        }
        catch
        {
            await chat.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static ChatServerOptions ToOptions(HostSettings settings, X509Certificate2? certificate, IChatBackplane? backplane, IConnectionAuthenticator? authenticator) => new()
    {
        Transport = new()
        {
            Address = settings.Address,
            Port = settings.WebSocketPort,
            MaxMessageBytes = settings.MaxMessageBytes,
            MaxConnections = settings.MaxConnections,
            MaxConnectionsPerAddress = settings.MaxConnectionsPerAddress,
            MaxPendingHandshakesPerAddress = settings.MaxHandshakesPerAddress,
            HandshakesPerSecondPerAddress = settings.HandshakeRatePerAddress,
            HandshakeBurstPerAddress = (int)Math.Clamp(Math.Ceiling(settings.HandshakeRatePerAddress * 2), 1, int.MaxValue),
            TrustedProxies = settings.TrustedProxies,
            MaxFragmentsPerMessage = settings.MaxFragmentsPerMessage,
            MessageAssemblyTimeout = TimeSpan.FromSeconds(settings.MessageAssemblyTimeoutSeconds),
            AllowedOrigins = settings.AllowedOrigins,
            Certificate = certificate,
            Authenticator = authenticator,
        },
        HistorySize = settings.History,
        Retain = settings.Retain,
        RetainBytes = settings.RetainBytes,
        HistoryMemory = settings.HistoryMemory,
        StreamTtl = settings.StreamTtl,
        DedupWindow = settings.DedupWindow,
        MaxStreams = settings.MaxStreams,
        MaxRoomsPerMember = settings.MaxRooms,
        MessagesPerSecond = settings.Rate,
        MessageBurst = settings.Burst,
        Backplane = backplane,
    };

    private static StaticFileServer Routes(HostSettings settings, ChatServer chat, bool secure, ILogger logger)
    {
        var started = Stopwatch.StartNew();
        var modeName = chat.Mode.Name;
        var store = (chat.Options.Backplane as InMemoryBackplane)?.Store;
        HealthReport Health()
        {
            var stats = chat.GetStatistics();
            return new HealthReport(HealthReport.StatusOf(store), modeName, stats.Members, stats.Connections, (long)started.Elapsed.TotalSeconds,
                GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalAllocatedBytes());
        }
        var auth = settings.IdentityRequired ? "jwt" : "none";
        PageConfig Config() => new(modeName, chat.Port, "/websocket", secure, auth);
        var api = settings.ApiKey is { } key ? new ApiHandler(chat, key, logger) : null;
        return new StaticFileServer(settings.StaticFolder, modeName + ".html", Health, Config, logger, api);
    }

    /// <summary>Stops in the reverse order of the start: the pages first, then every client is closed with 1001 (bounded wait).</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _pages.DisposeAsync().ConfigureAwait(false);
        await Chat.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="StopAsync"/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await Chat.DisposeAsync().ConfigureAwait(false);
    }
}
