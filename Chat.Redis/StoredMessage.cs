using System.Text.Json.Serialization;

namespace Fleck.Chat.Redis;

/// <summary>
/// A stream's message as the room scripts keep and publish it, after its offset (<c>"offset json"</c>):
/// the offset is the script's to write, so the JSON holds only what the sender gave.
/// </summary>
/// <param name="Name">Sender's nickname.</param>
/// <param name="Msg">The text.</param>
/// <param name="Ts">Unix time in milliseconds when the server received it.</param>
/// <param name="Id">The sender's id for it, if it gave one.</param>
/// <param name="To">The private target (in an inbox).</param>
internal sealed record StoredMessage(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("msg")] string Msg,
    [property: JsonPropertyName("ts")] long Ts,
    [property: JsonPropertyName("id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Id = null,
    [property: JsonPropertyName("to_client"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? To = null);
