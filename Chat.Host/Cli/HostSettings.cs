using System.Net;
using Fleck.Chat.Host.Http;
using Fleck.Chat.Host.Http.Api;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Host.Cli;

/// <summary>Everything the command line decided, validated. The defaults match the command line's.</summary>
internal sealed record HostSettings
{
    /// <summary>Canonical mode name: broadcast, nick-broadcast or private.</summary>
    public required string Mode { get; init; }
    public IPAddress Address { get; init; } = IPAddress.Loopback;
    /// <summary>WebSocket port; 0 lets the system pick.</summary>
    public int WebSocketPort { get; init; } = 8181;
    /// <summary>Port of the pages; 0 picks a free one.</summary>
    public int HttpPort { get; init; } = 8080;
    /// <summary>Full path of the folder the pages are served from.</summary>
    public required string StaticFolder { get; init; }
    public int MaxMessageBytes { get; init; } = 64 * 1024;
    /// <summary>Most WebSocket connections at once.</summary>
    public int MaxConnections { get; init; } = 50_000;
    /// <summary>Connections one client address may hold, in the handshake or upgraded (0 = no limit).</summary>
    public int MaxConnectionsPerAddress { get; init; } = 1000;
    /// <summary>Connections one client address may have in the handshake at once (0 = no limit).</summary>
    public int MaxHandshakesPerAddress { get; init; } = 64;
    /// <summary>New connections per second one client address may open on average, twice that at once (0 = no limit).</summary>
    public double HandshakeRatePerAddress { get; init; } = 50;
    /// <summary>Reverse proxies whose X-Forwarded-For names the client; null trusts none.</summary>
    public IReadOnlyCollection<IPAddress>? TrustedProxies { get; init; }
    /// <summary>Most fragments one incoming message may arrive in (0 = no limit).</summary>
    public int MaxFragmentsPerMessage { get; init; } = 1024;
    /// <summary>Longest time one incoming message may take to arrive, in seconds (0 = no limit).</summary>
    public double MessageAssemblyTimeoutSeconds { get; init; } = 30;
    /// <summary>Whether the operator chose <see cref="MaxConnections"/>; a default may be lowered to fit the descriptor limit, a choice may not.</summary>
    public bool MaxConnectionsGiven { get; init; }
    /// <summary>Most connections to the pages port at once.</summary>
    public int MaxPageConnections { get; init; } = PageServerLimits.DefaultMaxConnections;
    /// <summary>Whether the operator chose <see cref="MaxPageConnections"/>.</summary>
    public bool MaxPageConnectionsGiven { get; init; }
    /// <summary>How long a pages client may take to send a request's headers.</summary>
    public TimeSpan PageHeadersTimeout { get; init; } = PageServerLimits.DefaultHeadersTimeout;
    /// <summary>How long a pages connection may sit idle before and between requests.</summary>
    public TimeSpan PageKeepAliveTimeout { get; init; } = PageServerLimits.DefaultKeepAliveTimeout;
    public double Rate { get; init; } = 20;
    public int Burst { get; init; } = 40;
    public int History { get; init; } = 50;
    public int Retain { get; init; } = 1000;
    public long RetainBytes { get; init; } = 1L << 20;
    public long HistoryMemory { get; init; } = 256L << 20;
    public TimeSpan StreamTtl { get; init; } = TimeSpan.FromHours(24);
    public TimeSpan DedupWindow { get; init; } = TimeSpan.FromMinutes(10);
    public int MaxStreams { get; init; } = 100_000;
    public int MaxRooms { get; init; } = 50;
    /// <summary>Origins allowed to connect; null allows any.</summary>
    public IReadOnlyCollection<string>? AllowedOrigins { get; init; }
    public string? CertificatePath { get; init; }
    public string? CertificatePassword { get; init; }
    /// <summary>Redis configuration when the chat is shared with other hosts; null keeps it in this process.</summary>
    public string? Redis { get; init; }
    /// <summary>SQLite file the numbered streams are kept in; null keeps them in memory. Never together with <see cref="Redis"/>.</summary>
    public string? Store { get; init; }
    /// <summary>The key the HTTP API requires; null turns the API off.</summary>
    public ApiKey? ApiKey { get; init; }
    public LogLevel LogLevel { get; init; } = LogLevel.Information;
    /// <summary>HS256 secret every WebSocket upgrade's token must be signed with; null (and no public key) turns identity off.</summary>
    public string? JwtSecret { get; init; }
    /// <summary>PEM file of the RS256 or ES256 public key tokens are checked with.</summary>
    public string? JwtPublicKeyPath { get; init; }
    public string? JwtIssuer { get; init; }
    public string? JwtAudience { get; init; }
    /// <summary>Whether upgrades must carry a token.</summary>
    public bool IdentityRequired => JwtSecret is not null || JwtPublicKeyPath is not null;
}
