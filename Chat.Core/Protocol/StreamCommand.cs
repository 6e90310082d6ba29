using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fleck.Chat.Protocol;

/// <summary>
/// A client's <c>history</c>, <c>typing</c> or <c>read</c> command, in any nickname mode. Numbers are
/// kept as JSON elements, so a wrong one is told apart from a missing one and answered
/// <c>invalid_request</c> rather than <c>invalid_json</c>.
/// </summary>
internal sealed class StreamCommand
{
    public const string History = "history";
    public const string Typing = "typing";
    public const string Read = "read";

    /// <summary>A page holds at most this many messages, and this many when the client does not say.</summary>
    public const int MaxLimit = 100;
    public const int DefaultLimit = 50;

    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("room")]
    public string? Room { get; init; }

    [JsonPropertyName("to_client")]
    public string? ToClient { get; init; }

    [JsonPropertyName("before")]
    public JsonElement? Before { get; init; }

    [JsonPropertyName("limit")]
    public JsonElement? Limit { get; init; }

    [JsonPropertyName("offset")]
    public JsonElement? Offset { get; init; }

    /// <summary>
    /// A JSON object whose <c>type</c> is <paramref name="only"/> (or, when null, any of history,
    /// typing, read); false for everything else, which stays a chat message as before.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> utf8, string? only, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StreamCommand? command)
    {
        command = null;
        // Most messages are not commands: only text that names a type is parsed.
        if (utf8.IndexOf("\"type\""u8) < 0)
        {
            return false;
        }
        try
        {
            command = JsonSerializer.Deserialize(utf8, StreamCommandJsonContext.Default.StreamCommand);
        }
        catch (JsonException)
        {
            return false;
        }
        return command?.Type is History or Typing or Read && (only is null || command.Type == only);
    }

    /// <summary><c>before</c> (absent or null: the latest) must be an integer ≥ 1, <c>limit</c> (absent or null: 50) an integer 1–100.</summary>
    public bool TryReadPage(out long? before, out int limit)
    {
        before = null;
        limit = DefaultLimit;
        if (IsGiven(Before))
        {
            if (!TryGetInteger(Before, out var b) || b < 1)
            {
                return false;
            }
            before = b;
        }
        if (IsGiven(Limit))
        {
            if (!TryGetInteger(Limit, out var l) || l is < 1 or > MaxLimit)
            {
                return false;
            }
            limit = (int)l;
        }
        return true;
    }

    /// <summary><c>offset</c> must be an integer ≥ 0.</summary>
    public bool TryReadOffset(out long offset)
    {
        offset = 0;
        return TryGetInteger(Offset, out offset) && offset >= 0;
    }

    private static bool IsGiven(JsonElement? value) => value is { ValueKind: not JsonValueKind.Null };

    private static bool TryGetInteger(JsonElement? value, out long n)
    {
        n = 0;
        return value is { ValueKind: JsonValueKind.Number } number && number.TryGetInt64(out n);
    }
}

[JsonSourceGenerationOptions(AllowTrailingCommas = false)]
[JsonSerializable(typeof(StreamCommand))]
internal sealed partial class StreamCommandJsonContext : JsonSerializerContext;
