using System.Text.Json;

namespace Fleck.Chat.Protocol;

/// <summary>The <c>id</c> a client may give a message it sends: 1-64 characters of <c>[A-Za-z0-9_.:-]</c>.</summary>
internal static class SendId
{
    public const int MaxLength = 64;

    /// <summary>
    /// Reads the <c>id</c> field: true with a null id when there is none (absent or JSON null), true
    /// with the id when it is valid, false when it is anything else (the send is refused with <c>invalid_id</c>).
    /// </summary>
    public static bool TryRead(JsonElement element, out string? id)
    {
        id = null;
        if (element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return true;
        }
        if (element.ValueKind != JsonValueKind.String || element.GetString() is not { } text || !IsValid(text))
        {
            return false;
        }
        id = text;
        return true;
    }

    public static bool IsValid(string id)
    {
        if (id.Length is 0 or > MaxLength)
        {
            return false;
        }
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '-'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// The id of a command that was not read further (it was rate limited): a valid <c>id</c> of a
    /// JSON object, else null. Only on that error path, so its parse costs nothing on the send path.
    /// </summary>
    public static string? Peek(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                if (!reader.Read())
                {
                    return null;
                }
                if (isId)
                {
                    return reader.TokenType == JsonTokenType.String && reader.GetString() is { } id && IsValid(id) ? id : null;
                }
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON: no id.
        }
        return null;
    }
}
