using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Fleck.Chat.Tests.Identity;

/// <summary>Makes access tokens for the tests: well-formed ones through the library, broken ones by hand.</summary>
internal static class Tokens
{
    public const string Secret = "test-secret-that-is-long-enough-for-hs256!";

    public static long UnixNow => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>An HS256 token signed with <see cref="Secret"/>; <paramref name="claims"/> go into the payload as given.</summary>
    public static string Hs256(object claims, string secret = Secret) => Sign(claims, new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256);

    /// <summary>A token for <paramref name="name"/> that expires <paramref name="lifetime"/> from now.</summary>
    public static string For(string name, TimeSpan? lifetime = null, string secret = Secret) =>
        Hs256(new Dictionary<string, object> { ["name"] = name, ["exp"] = UnixNow + (long)(lifetime ?? TimeSpan.FromMinutes(10)).TotalSeconds }, secret);

    public static string Sign(object claims, SecurityKey key, string algorithm)
    {
        var payload = JsonSerializer.Serialize(claims);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(payload, new SigningCredentials(key, algorithm));
    }

    /// <summary>A token built by hand: header and payload as given, signed with HMAC over <paramref name="hmacKey"/> (or unsigned when null).</summary>
    public static string Handmade(object header, object payload, byte[]? hmacKey, Func<byte[], HMAC>? hmac = null)
    {
        var signingInput = B64(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + B64(JsonSerializer.SerializeToUtf8Bytes(payload));
        if (hmacKey is null)
        {
            return signingInput + ".";
        }
        using var mac = (hmac ?? (k => new HMACSHA256(k)))(hmacKey);
        return signingInput + "." + B64(mac.ComputeHash(Encoding.ASCII.GetBytes(signingInput)));
    }

    /// <summary>A token from raw header and payload JSON (which may be anything, duplicate members included), signed with HS256 over <see cref="Secret"/>.</summary>
    public static string RawHs256(string headerJson, string payloadJson)
    {
        var signingInput = B64(Encoding.UTF8.GetBytes(headerJson)) + "." + B64(Encoding.UTF8.GetBytes(payloadJson));
        using var mac = new HMACSHA256(Encoding.UTF8.GetBytes(Secret));
        return signingInput + "." + B64(mac.ComputeHash(Encoding.ASCII.GetBytes(signingInput)));
    }

    public static string B64(byte[] bytes) => Base64UrlEncoder.Encode(bytes);

    public static Dictionary<string, object> Claims(string name, long? exp = null, long? nbf = null, string? iss = null, string? aud = null)
    {
        var claims = new Dictionary<string, object> { ["name"] = name };
        if (exp is { } e)
        {
            claims["exp"] = e;
        }
        if (nbf is { } n)
        {
            claims["nbf"] = n;
        }
        if (iss is not null)
        {
            claims["iss"] = iss;
        }
        if (aud is not null)
        {
            claims["aud"] = aud;
        }
        return claims;
    }

}
