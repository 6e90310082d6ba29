using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fleck.Chat.Host.Http.Api;

/// <summary>Body of <c>POST /api/publish</c>.</summary>
internal sealed record PublishRequest
{
    [JsonPropertyName("msg")]
    public string? Msg { get; init; }

    /// <summary>Rooms mode: the room to publish to (required there). Other modes ignore it.</summary>
    [JsonPropertyName("room")]
    public string? Room { get; init; }
}

/// <summary>Body of <c>POST /api/send</c>.</summary>
internal sealed record SendRequest
{
    [JsonPropertyName("to")]
    public string? To { get; init; }

    [JsonPropertyName("msg")]
    public string? Msg { get; init; }
}

/// <summary>Body of <c>POST /api/disconnect</c> and <c>POST /api/unban</c>.</summary>
internal sealed record DisconnectRequest
{
    [JsonPropertyName("user")]
    public string? User { get; init; }
}

/// <summary>Body of <c>POST /api/ban</c>. <c>seconds</c> is read as JSON as it came, so a wrong kind of number is told apart from a missing one.</summary>
internal sealed record BanRequest
{
    [JsonPropertyName("user")]
    public string? User { get; init; }

    [JsonPropertyName("seconds")]
    public JsonElement? Seconds { get; init; }
}

/// <summary>Answer of <c>POST /api/ban</c>: when the ban ends, in Unix seconds.</summary>
internal sealed record BanResponse(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("until")] long Until);

/// <summary>One row of <c>GET /api/bans</c>.</summary>
internal sealed record BanItem(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("until")] long Until);

/// <summary>Answer of <c>GET /api/bans</c>.</summary>
internal sealed record BansResponse([property: JsonPropertyName("bans")] IReadOnlyList<BanItem> Bans);

/// <summary>A successful answer. <c>offset</c> is the published message's offset where the stream numbers it (nick-broadcast's chat; a room's, in rooms mode); absent otherwise.</summary>
internal sealed record OkResponse(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("offset")] long? Offset = null);

/// <summary>Answer of <c>GET /api/presence</c>.</summary>
internal sealed record PresenceResponse([property: JsonPropertyName("users")] IReadOnlyList<string> Users);

/// <summary>Every error answer: a machine-readable <c>error</c>, and where it helps a readable <c>message</c> or the <c>field</c> at fault.</summary>
internal sealed record ApiError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("message")] string? Message = null,
    [property: JsonPropertyName("field")] string? Field = null);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PublishRequest))]
[JsonSerializable(typeof(SendRequest))]
[JsonSerializable(typeof(DisconnectRequest))]
[JsonSerializable(typeof(BanRequest))]
[JsonSerializable(typeof(BanResponse))]
[JsonSerializable(typeof(BansResponse))]
[JsonSerializable(typeof(OkResponse))]
[JsonSerializable(typeof(PresenceResponse))]
[JsonSerializable(typeof(ApiError))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
