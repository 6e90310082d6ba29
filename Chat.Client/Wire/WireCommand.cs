using System.Text.Json.Serialization;

namespace Fleck.Chat.Client.Wire;

/// <summary>
/// Every client command as it goes on the wire; unset fields are left out, so one shape writes
/// <c>{"msg":…,"id":…}</c> as well as <c>{"type":"join","room":…,"since":…,"epoch":…}</c>.
/// </summary>
internal sealed class WireCommand
{
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("room")] public string? Room { get; init; }
    [JsonPropertyName("msg")] public string? Msg { get; init; }
    [JsonPropertyName("to_client")] public string? ToClient { get; init; }
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("since")] public long? Since { get; init; }
    [JsonPropertyName("epoch")] public string? Epoch { get; init; }
    [JsonPropertyName("before")] public long? Before { get; init; }
    [JsonPropertyName("limit")] public int? Limit { get; init; }
    [JsonPropertyName("offset")] public long? Offset { get; init; }
    [JsonPropertyName("token")] public string? Token { get; init; }
}
