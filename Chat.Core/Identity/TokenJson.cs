using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Fleck.Chat.Identity;

/// <summary>
/// Reads a validated token's header and payload as JSON, for the rules the token library does not
/// apply: it accepts a <c>crit</c> header it cannot honour, and its claim accessors turn a number or
/// an array into text, which would make <c>123</c> or <c>["alice","bob"]</c> a user's name.
/// </summary>
internal static class TokenJson
{
    // RFC 7515 §5.2 lets a recipient reject a header with duplicate member names; one reading of
    // the token for the library and another for this class must not be able to disagree.
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false, MaxDepth = 16 };

    /// <summary>The outcome of looking for the user's name.</summary>
    public enum NameClaim
    {
        /// <summary>A string <c>name</c> claim, or no <c>name</c> and a string <c>sub</c>.</summary>
        Found,

        /// <summary>Neither claim is present.</summary>
        Absent,

        /// <summary>The claim that names the user is present but not a JSON string.</summary>
        NotAString,
    }

    /// <summary>Parses one base64url part of a token; null when it is not a JSON object without duplicate members.</summary>
    public static JsonDocument? TryParse(string encodedPart)
    {
        try
        {
            var document = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(encodedPart), Strict);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }
            document.Dispose();
            return null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether the header lists critical extensions (RFC 7515 §4.1.11). The server understands none,
    /// so any <c>crit</c> member, whatever its value, makes the token unusable.
    /// </summary>
    public static bool HasCriticalExtensions(JsonElement header) => header.TryGetProperty("crit", out _);

    /// <summary>The user's name: the <c>name</c> claim when present, else <c>sub</c>; only ever a JSON string.</summary>
    public static NameClaim FindName(JsonElement payload, out string? name)
    {
        name = null;
        if (!payload.TryGetProperty("name", out var claim) && !payload.TryGetProperty("sub", out claim))
        {
            return NameClaim.Absent;
        }
        if (claim.ValueKind != JsonValueKind.String)
        {
            return NameClaim.NotAString;
        }
        name = claim.GetString();
        return NameClaim.Found;
    }
}
