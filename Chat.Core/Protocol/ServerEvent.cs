using System.Text.Json.Serialization;

namespace Fleck.Chat.Protocol;

/// <summary>
/// Every server-to-client event of the JSON modes, rooms mode's included. <c>name</c> and <c>msg</c>
/// are always strings, so a page that only prints <c>name(time):msg</c> (the seed's pages) renders
/// any event sensibly. Members left null are not written.
/// </summary>
internal sealed class ServerEvent
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

    [JsonPropertyName("to_client")]
    public string? ToClient { get; init; }

    [JsonPropertyName("users")]
    public IReadOnlyList<string>? Users { get; init; }

    [JsonPropertyName("you")]
    public string? You { get; init; }

    [JsonPropertyName("user")]
    public string? User { get; init; }

    [JsonPropertyName("rooms")]
    public IReadOnlyList<RoomCountItem>? Rooms { get; init; }

    [JsonPropertyName("code")]
    public string? Code { get; init; }

    [JsonPropertyName("offset")]
    public long? Offset { get; init; }

    [JsonPropertyName("epoch")]
    public string? Epoch { get; init; }

    [JsonPropertyName("recovered")]
    public bool? Recovered { get; init; }

    [JsonPropertyName("count")]
    public int? Count { get; init; }

    /// <summary>Unix seconds when the connection's token expires (<c>refreshed</c>).</summary>
    [JsonPropertyName("exp")]
    public long? Exp { get; init; }

    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("duplicate")]
    public bool? Duplicate { get; init; }

    [JsonPropertyName("messages")]
    public IReadOnlyList<Rooms.RoomEntry>? Messages { get; init; }

    [JsonPropertyName("more")]
    public bool? More { get; init; }

    [JsonPropertyName("read")]
    public long? Read { get; init; }
}

/// <summary>One row of the <c>rooms</c> event.</summary>
internal sealed record RoomCountItem(
    [property: JsonPropertyName("room")] string Room,
    [property: JsonPropertyName("members")] int Members);

/// <summary>What a client sends in the JSON modes. A <c>name</c> is accepted and ignored: the server stamps the registered one.</summary>
internal sealed class ClientMessage
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("msg")]
    public string? Msg { get; init; }

    [JsonPropertyName("to_client")]
    public string? ToClient { get; init; }

    /// <summary>The client's id for an acknowledged send; any JSON, checked by <see cref="SendId"/>.</summary>
    [JsonPropertyName("id")]
    public System.Text.Json.JsonElement Id { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, AllowTrailingCommas = false)]
[JsonSerializable(typeof(ServerEvent))]
[JsonSerializable(typeof(ClientMessage))]
internal sealed partial class ChatJsonContext : JsonSerializerContext;
