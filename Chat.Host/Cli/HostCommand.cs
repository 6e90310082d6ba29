using System.CommandLine;
using System.Net;
using Fleck.Chat.Host.Http;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Host.Cli;

/// <summary>The command line: every option with its default; parsing and range checks are in <see cref="OptionParsers"/>.</summary>
internal static class HostCommand
{
    public static RootCommand Create(Func<HostSettings, CancellationToken, Task<int>> run)
    {
        var mode = new Option<string>("--mode", "-m")
        {
            Description = "Chat mode: broadcast (no nicknames), nick-broadcast (group chat with nicknames), private (one-to-one) or rooms (named rooms to join and leave)",
            DefaultValueFactory = _ => "broadcast",
            CustomParser = OptionParsers.Mode,
            HelpName = string.Join('|', ChatModes.Names),
        };
        var host = new Option<IPAddress>("--host")
        {
            Description = "Address to listen on: 127.0.0.1 for this machine only, 0.0.0.0 or :: for every interface",
            DefaultValueFactory = _ => IPAddress.Loopback,
            CustomParser = OptionParsers.Address,
            HelpName = "ip",
        };
        var port = IntOption("--port", "port", "WebSocket port (0 = any free port)", 8181, 0, 65535);
        var httpPort = IntOption("--http-port", "port", "Port of the web pages (0 = any free port)", 8080, 0, 65535);
        var staticDir = new Option<string?>("--static")
        {
            Description = "Folder of the web pages [default: the static/ folder shipped with the host]",
            HelpName = "dir",
        };
        var maxMessage = IntOption("--max-message-bytes", "bytes", "Largest message a client may send; a larger one is closed with 1009", 64 * 1024, 1, int.MaxValue);
        var maxConnections = IntOption("--max-connections", "count", "Most connections held at once; more are refused with 503", 50_000, 1, int.MaxValue);
        var perAddress = IntOption("--max-connections-per-address", "count",
            "Most connections one client address (an IPv6 /64) may hold, in the handshake or open; more are refused with 429 (0 = no limit)", 1000, 0, int.MaxValue);
        var handshakesPerAddress = IntOption("--max-handshakes-per-address", "count",
            "Most connections one client address may have in the handshake at once; more are refused with 429 (0 = no limit)", 64, 0, int.MaxValue);
        var handshakeRate = new Option<double>("--handshake-rate-per-address")
        {
            Description = "New connections per second one client address may open on average, twice as many at once; more are refused with 429 (0 = no limit)",
            DefaultValueFactory = _ => 50,
            CustomParser = r => OptionParsers.Double(r, 0, 1_000_000),
            HelpName = "per-second",
        };
        var trustedProxies = new Option<IReadOnlyCollection<IPAddress>?>("--trusted-proxies")
        {
            Description = "Comma-separated addresses of reverse proxies whose X-Forwarded-For names the client; the per-address limits then apply to that client [default: none]",
            CustomParser = OptionParsers.Addresses,
            HelpName = "ip,ip",
        };
        var maxFragments = IntOption("--max-fragments-per-message", "count",
            "Most fragments one incoming message may arrive in; more are closed with 1008 (0 = no limit)", 1024, 0, 1_000_000);
        var assemblyTimeout = new Option<double>("--message-assembly-timeout")
        {
            Description = "Seconds one incoming message may take from its first byte to its last; a slower one is closed with 1008 (0 = no limit)",
            DefaultValueFactory = _ => 30,
            CustomParser = r => OptionParsers.Double(r, 0, 86_400),
            HelpName = "seconds",
        };
        var maxPageConnections = IntOption("--max-page-connections", "count", "Most connections to the pages port at once; more are closed as soon as they are accepted", PageServerLimits.DefaultMaxConnections, 1, int.MaxValue);
        var rate = new Option<double>("--rate")
        {
            Description = "Messages per second one connection may send on average (0 = no limit)",
            DefaultValueFactory = _ => 20,
            CustomParser = r => OptionParsers.Double(r, 0, 1_000_000),
            HelpName = "per-second",
        };
        var burst = IntOption("--burst", "count", "Messages one connection may send at once before --rate applies", 40, 1, 1_000_000);
        var history = IntOption("--history", "count", "Messages of a stream (nick-broadcast's chat, each room) replayed to someone joining (0 = none); at most --retain", 50, 0, 100_000);
        var retain = IntOption("--retain", "count", "Messages each stream keeps: what a reconnecting client can resume from (at least --history)", 1000, 0, 1_000_000);
        var retainBytes = LongOption("--retain-bytes", "bytes", "Bytes of message text each stream keeps; whichever of --retain and this is reached first, the oldest messages go", 1L << 20, 0, long.MaxValue);
        var historyMemory = LongOption("--history-memory", "bytes", "Bytes of message text all streams keep in this process's memory together; past it the least recently used streams are forgotten", 256L << 20, 0, long.MaxValue);
        // No default value object: help would print a TimeSpan (1.00:00:00) rather than 24h.
        var streamTtl = new Option<TimeSpan?>("--stream-ttl")
        {
            Description = "A stream nobody has been in and nothing was written to for this long is forgotten (history, offsets, epoch): 90s, 10m, 2h, 1d [default: 24h]",
            CustomParser = r => OptionParsers.Duration(r, TimeSpan.FromSeconds(1), TimeSpan.FromDays(24)),
            HelpName = "duration",
        };
        var dedupWindow = new Option<TimeSpan?>("--dedup-window")
        {
            Description = "How long a user's send id is remembered: a re-send within it is acknowledged again, not delivered twice: 90s, 10m, 2h, 1d [default: 10m]",
            CustomParser = r => OptionParsers.Duration(r, TimeSpan.FromSeconds(1), TimeSpan.FromDays(24)),
            HelpName = "duration",
        };
        var maxStreams = IntOption("--max-streams", "count", "Most streams held at once, every host together; joining a new room past it gets too_many_streams", 100_000, 1, int.MaxValue);
        var maxRooms = IntOption("--max-rooms", "count", "Rooms one member may be in at once in rooms mode", 50, 1, 10_000);
        var origins = new Option<IReadOnlyCollection<string>?>("--allowed-origins")
        {
            Description = "Comma-separated origins whose pages may connect, e.g. https://chat.example.com [default: any]",
            CustomParser = OptionParsers.Origins,
            HelpName = "origins",
        };
        var cert = new Option<string?>("--cert") { Description = "TLS certificate to serve wss://: PFX, or PEM holding the key too", HelpName = "file" };
        var certPassword = new Option<string?>("--cert-password") { Description = "Password of the --cert file", HelpName = "password" };
        var redis = new Option<string?>("--redis")
        {
            Description = "Share the chat with other hosts through Redis: host:port or a StackExchange.Redis configuration [default: this process only]",
            HelpName = "config",
        };
        var store = new Option<string?>("--store")
        {
            Description = "Keep the history, offsets and epochs of nick-broadcast and rooms in this SQLite file, so they survive a restart [default: in memory]",
            HelpName = "file",
        };
        var apiKey = ApiKeyOption.Create();
        var logLevel = new Option<LogLevel>("--log-level")
        {
            Description = "Trace, Debug (every connection), Information (a summary every 10 s), Warning, Error or None",
            DefaultValueFactory = _ => LogLevel.Information,
            CustomParser = OptionParsers.Level,
            HelpName = "level",
        };

        var jwtSecret = new Option<string?>("--jwt-secret")
        {
            Description = $"Require a JWT on every WebSocket upgrade, signed HS256 with this secret (at least 32 bytes) [default: ${JwtOptions.SecretVariable}, else no identity]",
            HelpName = "secret",
        };
        var jwtPublicKey = new Option<string?>("--jwt-public-key")
        {
            Description = "Require a JWT on every WebSocket upgrade, signed RS256 or ES256; this PEM file holds the public key",
            HelpName = "pem-file",
        };
        var jwtIssuer = new Option<string?>("--jwt-issuer") { Description = "With --jwt-*: the iss every token must carry", HelpName = "issuer" };
        var jwtAudience = new Option<string?>("--jwt-audience") { Description = "With --jwt-*: the aud every token must carry", HelpName = "audience" };

        var root = new RootCommand("Fleck.Chat: a self-hosted WebSocket chat server and its web pages.")
        {
            mode, host, port, httpPort, staticDir, maxMessage, maxConnections, maxPageConnections, rate, burst, history, origins, cert, certPassword, redis, apiKey, logLevel,
            jwtSecret, jwtPublicKey, jwtIssuer, jwtAudience,
            maxRooms, store, retain, retainBytes, historyMemory, streamTtl, dedupWindow, maxStreams, perAddress, handshakesPerAddress, handshakeRate, trustedProxies, maxFragments, assemblyTimeout,
        };
        root.Subcommands.Add(TokenCommand.Create());
        root.SetAction(async (result, ct) =>
        {
            var folder = StaticFolder.Resolve(result.GetValue(staticDir));
            if (folder is null)
            {
                await Console.Error.WriteLineAsync($"error: static folder not found: {result.GetValue(staticDir) ?? "static/ (beside the host or above the current folder)"}");
                return 1;
            }
            if (result.GetValue(store) is not null && result.GetValue(redis) is not null)
            {
                await Console.Error.WriteLineAsync("error: --store and --redis cannot be used together: with --redis the history is kept in Redis, shared by every node");
                return 1;
            }
            if (result.GetValue(retain) < result.GetValue(history))
            {
                await Console.Error.WriteLineAsync($"error: --retain {result.GetValue(retain)} must be at least --history {result.GetValue(history)}: a stream cannot replay more than it keeps");
                return 1;
            }
            var settings = new HostSettings
            {
                Mode = result.GetValue(mode)!,
                Address = result.GetValue(host)!,
                WebSocketPort = result.GetValue(port),
                HttpPort = result.GetValue(httpPort),
                StaticFolder = folder,
                MaxMessageBytes = result.GetValue(maxMessage),
                MaxConnections = result.GetValue(maxConnections),
                MaxConnectionsPerAddress = result.GetValue(perAddress),
                MaxHandshakesPerAddress = result.GetValue(handshakesPerAddress),
                HandshakeRatePerAddress = result.GetValue(handshakeRate),
                TrustedProxies = result.GetValue(trustedProxies),
                MaxFragmentsPerMessage = result.GetValue(maxFragments),
                MessageAssemblyTimeoutSeconds = result.GetValue(assemblyTimeout),
                MaxConnectionsGiven = result.GetResult(maxConnections) is { Implicit: false },
                MaxPageConnections = result.GetValue(maxPageConnections),
                MaxPageConnectionsGiven = result.GetResult(maxPageConnections) is { Implicit: false },
                Rate = result.GetValue(rate),
                Burst = result.GetValue(burst),
                History = result.GetValue(history),
                Retain = result.GetValue(retain),
                RetainBytes = result.GetValue(retainBytes),
                HistoryMemory = result.GetValue(historyMemory),
                StreamTtl = result.GetValue(streamTtl) ?? TimeSpan.FromHours(24),
                DedupWindow = result.GetValue(dedupWindow) ?? TimeSpan.FromMinutes(10),
                MaxStreams = result.GetValue(maxStreams),
                MaxRooms = result.GetValue(maxRooms),
                AllowedOrigins = result.GetValue(origins),
                CertificatePath = result.GetValue(cert),
                CertificatePassword = result.GetValue(certPassword),
                Redis = result.GetValue(redis),
                Store = result.GetValue(store),
                ApiKey = ApiKeyOption.Resolve(result.GetValue(apiKey)),
                LogLevel = result.GetValue(logLevel),
                JwtSecret = result.GetValue(jwtSecret) ?? JwtOptions.SecretFromEnvironment(),
                JwtPublicKeyPath = result.GetValue(jwtPublicKey),
                JwtIssuer = result.GetValue(jwtIssuer),
                JwtAudience = result.GetValue(jwtAudience),
            };
            return await run(settings, ct);
        });
        return root;
    }

    private static Option<long> LongOption(string name, string helpName, string description, long fallback, long min, long max) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => fallback,
        CustomParser = r => OptionParsers.Long(r, min, max),
        HelpName = helpName,
    };

    private static Option<int> IntOption(string name, string helpName, string description, int fallback, int min, int max) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => fallback,
        CustomParser = r => OptionParsers.Int(r, min, max),
        HelpName = helpName,
    };
}
