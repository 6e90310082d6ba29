using System.Net;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Host.Cli;

/// <summary>Everything the command line decided, validated.</summary>
internal sealed record HostSettings
{
    public required string Mode { get; init; }
    public required IPAddress Address { get; init; }
    public required int WebSocketPort { get; init; }
    public required int HttpPort { get; init; }
    public required string StaticFolder { get; init; }
    public int MaxMessageBytes { get; init; }
    public int MaxConnections { get; init; }
    public double Rate { get; init; }
    public int Burst { get; init; }
    public int History { get; init; }
    public IReadOnlyCollection<string>? AllowedOrigins { get; init; }
    public string? CertificatePath { get; init; }
    public string? CertificatePassword { get; init; }
    public string? Redis { get; init; }
    public LogLevel LogLevel { get; init; }
}
