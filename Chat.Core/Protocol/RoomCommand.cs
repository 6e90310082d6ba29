using System.Text.Json.Serialization;

namespace Fleck.Chat.Protocol;

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

    /// <summary>The client's id for an acknowledged send (<c>message</c>); checked by <see cref="SendId"/>.</summary>
    [JsonPropertyName("id")]
    public System.Text.Json.JsonElement Id { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, AllowTrailingCommas = false)]
[JsonSerializable(typeof(RoomCommand))]
internal sealed partial class RoomJsonContext : JsonSerializerContext;
