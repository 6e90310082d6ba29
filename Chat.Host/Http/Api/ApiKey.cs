using System.Security.Cryptography;
using System.Text;

namespace Fleck.Chat.Host.Http.Api;

/// <summary>
/// The key the HTTP API's callers must present. Only its SHA-256 hash is kept, so the key itself
/// is never in memory for a log line or a dump to pick up, and a request's key is checked by
/// comparing hashes in constant time: equal-length inputs, so neither the key's length nor the
/// position of the first wrong character shows in the timing.
/// </summary>
internal sealed class ApiKey
{
    /// <summary>Where the host reads the key when <c>--api-key</c> is not given, so it need not appear on a command line.</summary>
    public const string EnvironmentVariable = "FLECK_CHAT_API_KEY";

    private const string Scheme = "Bearer ";

    private readonly byte[] _hash;

    private ApiKey(byte[] hash) => _hash = hash;

    /// <summary>A key from its text; null for an empty one (which would turn the API on for anyone).</summary>
    public static ApiKey? FromText(string? key) =>
        string.IsNullOrEmpty(key) ? null : new ApiKey(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Whether an <c>Authorization</c> header carries this key as a bearer token.</summary>
    public bool Matches(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[Scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, _hash);
    }

    /// <summary>Never the key: settings records print their properties, and this one must not leak.</summary>
    public override string ToString() => "(api key)";
}
