using System.Text.Json.Serialization;
using Fleck.Chat.Rooms;

namespace Fleck.Chat.Protocol;

/// <summary>
/// Every server-to-client event of rooms mode. Like <see cref="ServerEvent"/>, <c>name</c>,
/// <c>msg</c> and <c>ts</c> are always present, so a page that prints <c>name(time):msg</c> renders any of them.
/// </summary>
internal sealed class RoomEvent
{
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    [JsonPropertyName("room")]
    public string? Room { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("msg")]
    public required string Msg { get; init; }

    [JsonPropertyName("ts")]
    public long Ts { get; init; }

    [JsonPropertyName("offset")]
    public long? Offset { get; init; }

    [JsonPropertyName("epoch")]
    public string? Epoch { get; init; }

    [JsonPropertyName("users")]
    public IReadOnlyList<string>? Users { get; init; }

    [JsonPropertyName("user")]
    public string? User { get; init; }

    [JsonPropertyName("rooms")]
    public IReadOnlyList<RoomCountItem>? Rooms { get; init; }

    [JsonPropertyName("code")]
    public string? Code { get; init; }

    [JsonPropertyName("recovered")]
    public bool? Recovered { get; init; }

    [JsonPropertyName("count")]
    public int? Count { get; init; }
}

/// <summary>One row of the <c>rooms</c> event.</summary>
internal sealed record RoomCountItem(
    [property: JsonPropertyName("room")] string Room,
    [property: JsonPropertyName("members")] int Members);

/// <summary>A command from a rooms-mode client.</summary>
internal sealed class RoomCommand
{
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("room")]
    public string? Room { get; init; }

    [JsonPropertyName("msg")]
    public string? Msg { get; init; }

    [JsonPropertyName("since")]
    public long? Since { get; init; }

    [JsonPropertyName("epoch")]
    public string? Epoch { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, AllowTrailingCommas = false)]
[JsonSerializable(typeof(RoomEvent))]
[JsonSerializable(typeof(RoomCommand))]
[JsonSerializable(typeof(RoomEntry))]
internal sealed partial class RoomJsonContext : JsonSerializerContext;
