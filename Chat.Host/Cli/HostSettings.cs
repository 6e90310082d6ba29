using System.Net;
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
    public int MaxConnections { get; init; } = 50_000;
    public double Rate { get; init; } = 20;
    public int Burst { get; init; } = 40;
    public int History { get; init; } = 50;
    public int MaxRooms { get; init; } = 50;
    /// <summary>Origins allowed to connect; null allows any.</summary>
    public IReadOnlyCollection<string>? AllowedOrigins { get; init; }
    public string? CertificatePath { get; init; }
    public string? CertificatePassword { get; init; }
    /// <summary>Redis configuration when the chat is shared with other hosts; null keeps it in this process.</summary>
    public string? Redis { get; init; }
    public LogLevel LogLevel { get; init; } = LogLevel.Information;
}
