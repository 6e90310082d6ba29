using System.Text.Json.Serialization;

namespace Fleck.Chat.Redis;

/// <summary>
/// A stream's message as the room scripts keep and publish it, after its offset (<c>"offset json"</c>):
/// the offset is the script's to write, so the JSON holds only what the sender gave.
/// </summary>
/// <param name="Name">Sender's nickname.</param>
/// <param name="Msg">The text.</param>
/// <param name="Ts">Unix time in milliseconds when the server received it.</param>
internal sealed record StoredMessage(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("msg")] string Msg,
    [property: JsonPropertyName("ts")] long Ts);
