using System.Text.Json.Serialization;

namespace Fleck.Chat.Host.Http;

/// <summary>What <c>/healthz</c> reports.</summary>
internal sealed record HealthReport(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("members")] int Members,
    [property: JsonPropertyName("connections")] int Connections,
    [property: JsonPropertyName("uptimeSeconds")] long UptimeSeconds);

/// <summary>What <c>/config.json</c> tells the pages: enough to build the WebSocket URL from their own host name.</summary>
internal sealed record PageConfig(
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("wsPort")] int WsPort,
    [property: JsonPropertyName("wsPath")] string WsPath,
    [property: JsonPropertyName("secure")] bool Secure);

[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(PageConfig))]
internal sealed partial class HostJsonContext : JsonSerializerContext;
