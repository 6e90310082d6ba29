using System.Text.Json.Serialization;

namespace Fleck.Chat.Client.Wire;

/// <summary>
/// Every server event as it is on the wire: one flat shape with every field any event type may
/// carry (PROTOCOL.md and SPEC Part 3). Which fields are set depends on <see cref="Type"/>.
/// </summary>
internal sealed class WireEvent
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("msg")] public string? Msg { get; set; }
    [JsonPropertyName("ts")] public long Ts { get; set; }
    [JsonPropertyName("offset")] public long? Offset { get; set; }
    [JsonPropertyName("epoch")] public string? Epoch { get; set; }
    [JsonPropertyName("room")] public string? Room { get; set; }
    [JsonPropertyName("user")] public string? User { get; set; }
    [JsonPropertyName("users")] public List<string>? Users { get; set; }
    [JsonPropertyName("you")] public string? You { get; set; }
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("duplicate")] public bool Duplicate { get; set; }
    [JsonPropertyName("code")] public string? Code { get; set; }
    [JsonPropertyName("recovered")] public bool Recovered { get; set; }
    [JsonPropertyName("count")] public int Count { get; set; }
    [JsonPropertyName("to_client")] public string? ToClient { get; set; }
    [JsonPropertyName("messages")] public List<WireEntry>? Messages { get; set; }
    [JsonPropertyName("more")] public bool More { get; set; }
    [JsonPropertyName("rooms")] public List<WireRoom>? Rooms { get; set; }
    [JsonPropertyName("read")] public long Read { get; set; }
    [JsonPropertyName("exp")] public long Exp { get; set; }
}

/// <summary>One kept message inside a <c>page</c> event.</summary>
internal sealed class WireEntry
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("msg")] public string? Msg { get; set; }
    [JsonPropertyName("ts")] public long Ts { get; set; }
    [JsonPropertyName("offset")] public long Offset { get; set; }
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("to_client")] public string? ToClient { get; set; }
}

/// <summary>One room of a <c>rooms</c> event.</summary>
internal sealed class WireRoom
{
    [JsonPropertyName("room")] public string? Room { get; set; }
    [JsonPropertyName("members")] public int Members { get; set; }
}
