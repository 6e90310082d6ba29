using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fleck.Chat.Client.Wire;

/// <summary>The source-generated serializers for the wire shapes: no reflection, so the client trims and runs under AOT.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WireEvent))]
[JsonSerializable(typeof(WireCommand))]
internal sealed partial class WireJson : JsonSerializerContext
{
    /// <summary>The UTF-8 bytes of <paramref name="command"/>, ready to send as one text message.</summary>
    public static byte[] Encode(WireCommand command) => JsonSerializer.SerializeToUtf8Bytes(command, Default.WireCommand);

    /// <summary>The event in <paramref name="utf8"/>, or null when it is not a JSON object.</summary>
    public static WireEvent? Decode(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return JsonSerializer.Deserialize(utf8, Default.WireEvent);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
