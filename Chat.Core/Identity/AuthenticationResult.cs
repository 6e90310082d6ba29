namespace Fleck.Chat.Identity;

/// <summary>
/// The answer of an <see cref="IConnectionAuthenticator"/>: an identity, or a refusal with the HTTP
/// status, a short text for the response body, and any extra header fields (e.g. <c>WWW-Authenticate</c>).
/// The body goes to the client as is: keep it free of anything a caller should not learn.
/// </summary>
public sealed class AuthenticationResult
{
    private AuthenticationResult(ChatIdentity? identity, int statusCode, string reason, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        Identity = identity;
        StatusCode = statusCode;
        Reason = reason;
        Headers = headers;
    }

    /// <summary>The identity when the request was accepted; null for a refusal.</summary>
    public ChatIdentity? Identity { get; }

    /// <summary>Whether the request was accepted.</summary>
    public bool Succeeded => Identity is not null;

    /// <summary>HTTP status of a refusal (4xx or 5xx); 101 for an accepted request.</summary>
    public int StatusCode { get; }

    /// <summary>Short text sent as the body of a refusal; empty for an accepted request.</summary>
    public string Reason { get; }

    /// <summary>Extra header fields of a refusal.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>Accepts the request as <paramref name="identity"/>.</summary>
    public static AuthenticationResult Success(ChatIdentity identity) =>
        new(identity ?? throw new ArgumentNullException(nameof(identity)), 101, "", []);

    /// <summary>
    /// Refuses the request with <paramref name="statusCode"/> (400-599). Header names and values
    /// may not contain line breaks; names must be HTTP tokens.
    /// </summary>
    public static AuthenticationResult Refuse(int statusCode, string reason, params IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        ArgumentNullException.ThrowIfNull(reason);
        ArgumentNullException.ThrowIfNull(headers);
        foreach (var (name, value) in headers)
        {
            // A line break would let a value forge further header fields or the body.
            if (name.Length == 0 || name.Any(c => c <= ' ' || c >= 0x7F || c == ':') || value.Any(c => c is '\r' or '\n' or '\0'))
            {
                throw new ArgumentException($"Invalid header field '{name}'.", nameof(headers));
            }
        }
        return new(null, statusCode, reason, [.. headers]);
    }

    /// <summary>401: no credentials, or bad ones. <paramref name="challenge"/> is the <c>WWW-Authenticate</c> value, e.g. <c>Bearer</c>.</summary>
    public static AuthenticationResult Unauthorized(string reason, string? challenge = null) =>
        challenge is null ? Refuse(401, reason) : Refuse(401, reason, new KeyValuePair<string, string>("WWW-Authenticate", challenge));

    /// <summary>403: the credentials are good, but this user may not connect (here).</summary>
    public static AuthenticationResult Forbidden(string reason) => Refuse(403, reason);
}
