using System.Text.Json.Serialization;

namespace Fleck.Chat.Host.Http;

/// <summary>
/// What <c>/healthz</c> reports: the chat, and the process's garbage collections and allocations so
/// far, which is how a load test sees whether sending allocates. <c>status</c> is <c>ok</c>, or
/// <c>degraded</c> while the history store cannot write (the chat still delivers; the answer stays 200).
/// </summary>
internal sealed record HealthReport(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("members")] int Members,
    [property: JsonPropertyName("connections")] int Connections,
    [property: JsonPropertyName("uptimeSeconds")] long UptimeSeconds,
    [property: JsonPropertyName("gen0Collections")] int Gen0Collections,
    [property: JsonPropertyName("gen2Collections")] int Gen2Collections,
    [property: JsonPropertyName("allocatedBytes")] long AllocatedBytes)
{
    /// <summary><c>degraded</c> while <paramref name="store"/> is failing to write, else <c>ok</c>.</summary>
    public static string StatusOf(Fleck.Chat.Scaling.IChatStreamStore? store) => store is { IsFailing: true } ? "degraded" : "ok";
}

/// <summary>
/// What <c>/config.json</c> tells the pages: enough to build the WebSocket URL from their own host
/// name, and whether the WebSocket wants an access token (<c>auth</c>: <c>jwt</c> or <c>none</c>).
/// </summary>
internal sealed record PageConfig(
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("wsPort")] int WsPort,
    [property: JsonPropertyName("wsPath")] string WsPath,
    [property: JsonPropertyName("secure")] bool Secure,
    [property: JsonPropertyName("auth")] string Auth);

[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(PageConfig))]
internal sealed partial class HostJsonContext : JsonSerializerContext;
