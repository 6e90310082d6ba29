using System.Text.Json.Serialization;

namespace Fleck.Chat.Client.Wire;

/// <summary>
/// Every client command as it goes on the wire; unset fields are left out, so one shape writes
/// <c>{"msg":…,"id":…}</c> as well as <c>{"type":"join","room":…,"since":…,"epoch":…}</c>.
/// </summary>
internal sealed record WireCommand(
    [property: JsonPropertyName("type")] string? Type = null,
    [property: JsonPropertyName("room")] string? Room = null,
    [property: JsonPropertyName("msg")] string? Msg = null,
    [property: JsonPropertyName("to_client")] string? ToClient = null,
    [property: JsonPropertyName("id")] string? Id = null,
    [property: JsonPropertyName("since")] long? Since = null,
    [property: JsonPropertyName("epoch")] string? Epoch = null,
    [property: JsonPropertyName("before")] long? Before = null,
    [property: JsonPropertyName("limit")] int? Limit = null,
    [property: JsonPropertyName("offset")] long? Offset = null,
    [property: JsonPropertyName("token")] string? Token = null);
