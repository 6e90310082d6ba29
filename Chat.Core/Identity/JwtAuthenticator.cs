using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Fleck.Chat.Identity;

/// <summary>
/// Accepts an upgrade that carries a valid JSON Web Token: in the query (<c>access_token=</c>, as
/// browsers cannot set headers on a WebSocket) or as <c>Authorization: Bearer</c>. Checked: the
/// signature with the one configured algorithm (HS256 with a shared secret, RS256 or ES256 with a
/// public key; <c>alg: none</c> and any other algorithm are refused), <c>exp</c> (required),
/// <c>nbf</c>, and <c>iss</c>/<c>aud</c> when configured, with at most 30 s of clock skew.
/// A header with <c>crit</c> is refused (RFC 7515 §4.1.11: the server understands no extensions), as
/// is a header or payload with a duplicate member name.
/// The user's name is the <c>name</c> claim, else <c>sub</c>, and must be a JSON string.
/// A missing token is answered 401 with <c>WWW-Authenticate: Bearer</c>; a bad or expired one 401
/// with <c>WWW-Authenticate: Bearer error="invalid_token"</c>; a valid one that names no user, or
/// names it with something other than a string, 403.
/// </summary>
public sealed class JwtAuthenticator : IConnectionAuthenticator
{
    /// <summary>Smallest HS256 secret accepted: 256 bits, the size of the HMAC-SHA256 output (RFC 7518 §3.2).</summary>
    public const int MinimumSecretBytes = 32;

    /// <summary>Largest token looked at; a real one is well under 2 KiB, so anything past this is refused unread.</summary>
    public const int MaxTokenLength = 8 * 1024;

    /// <summary>The clock skew allowed when checking <c>exp</c> and <c>nbf</c>.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private const string QueryParameter = "access_token";
    private const string MissingChallenge = "Bearer";
    private const string InvalidChallenge = "Bearer error=\"invalid_token\"";

    private readonly JsonWebTokenHandler _handler = new() { MaximumTokenSizeInBytes = MaxTokenLength };
    private readonly TokenValidationParameters _parameters;
    private readonly ILogger _logger;

    private JwtAuthenticator(SecurityKey key, string algorithm, string? issuer, string? audience, ILogger? logger)
    {
        _logger = logger ?? NullLogger.Instance;
        _parameters = new TokenValidationParameters
        {
            IssuerSigningKey = key,
            ValidateIssuerSigningKey = true,
            // Only this algorithm: a token that names another (none, or HS256 signed with a public key) is refused.
            ValidAlgorithms = [algorithm],
            RequireSignedTokens = true,
            ValidateIssuer = issuer is not null,
            ValidIssuer = issuer,
            ValidateAudience = audience is not null,
            ValidAudience = audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = ClockSkew,
            // The configured key is the only one there is; without this a token with no kid matches no key.
            TryAllIssuerSigningKeys = true,
        };
        Algorithm = algorithm;
    }

    /// <summary>The one signature algorithm accepted: HS256, RS256 or ES256.</summary>
    public string Algorithm { get; }

    /// <summary>
    /// Tokens signed with HS256 and <paramref name="secret"/> (UTF-8, at least
    /// <see cref="MinimumSecretBytes"/> bytes, else <see cref="ArgumentException"/>).
    /// </summary>
    public static JwtAuthenticator WithSecret(string secret, string? issuer = null, string? audience = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var bytes = Encoding.UTF8.GetBytes(secret);
        if (bytes.Length < MinimumSecretBytes)
        {
            throw new ArgumentException($"The JWT secret must be at least {MinimumSecretBytes} bytes long; this one has {bytes.Length}.", nameof(secret));
        }
        return new JwtAuthenticator(new SymmetricSecurityKey(bytes), SecurityAlgorithms.HmacSha256, issuer, audience, logger);
    }

    /// <summary>
    /// Tokens signed with the private half of <paramref name="publicKeyPem"/>: an RSA key accepts
    /// RS256, a P-256 EC key ES256. Throws <see cref="ArgumentException"/> for anything else.
    /// </summary>
    public static JwtAuthenticator WithPublicKey(string publicKeyPem, string? issuer = null, string? audience = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(publicKeyPem);
        var label = PemEncoding.TryFind(publicKeyPem, out var fields) ? publicKeyPem[fields.Label] : null;
        if (label is null)
        {
            throw new ArgumentException("The public key is not in PEM format.", nameof(publicKeyPem));
        }
        try
        {
            var rsa = RSA.Create();
            try
            {
                rsa.ImportFromPem(publicKeyPem);
                return new JwtAuthenticator(new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha256, issuer, audience, logger);
            }
            catch (CryptographicException)
            {
                rsa.Dispose();
            }
            var ec = ECDsa.Create();
            try
            {
                ec.ImportFromPem(publicKeyPem);
            }
            catch (CryptographicException)
            {
                ec.Dispose();
                throw new ArgumentException($"The PEM block '{label}' is neither an RSA nor an EC key.", nameof(publicKeyPem));
            }
            if (ec.KeySize != 256)
            {
                ec.Dispose();
                throw new ArgumentException("An EC key must be on the P-256 curve (ES256).", nameof(publicKeyPem));
            }
            return new JwtAuthenticator(new ECDsaSecurityKey(ec), SecurityAlgorithms.EcdsaSha256, issuer, audience, logger);
        }
        catch (ArgumentException ex) when (ex.ParamName != nameof(publicKeyPem))
        {
            throw new ArgumentException("The public key cannot be read: " + ex.Message, nameof(publicKeyPem), ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<AuthenticationResult> AuthenticateAsync(UpgradeContext request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var token = FindToken(request);
        if (string.IsNullOrEmpty(token))
        {
            return AuthenticationResult.Unauthorized("An access token is required.", MissingChallenge);
        }
        if (token.Length > MaxTokenLength)
        {
            return Invalid("too large");
        }
        var result = await _handler.ValidateTokenAsync(token, _parameters).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            // The exception's type says why (expired, bad signature...); its message may quote the token, so it stays out of the log.
            return Invalid(result.Exception?.GetType().Name ?? "invalid");
        }
        using var header = TokenJson.TryParse(jwt.EncodedHeader);
        using var payload = TokenJson.TryParse(jwt.EncodedPayload);
        if (header is null || payload is null)
        {
            return Invalid("not a JSON object with unique members");
        }
        if (TokenJson.HasCriticalExtensions(header.RootElement))
        {
            return Invalid("critical extensions");
        }
        switch (TokenJson.FindName(payload.RootElement, out var name))
        {
            case TokenJson.NameClaim.NotAString:
                return AuthenticationResult.Forbidden("The access token's name claim is not a string.");
            case TokenJson.NameClaim.Absent:
            case TokenJson.NameClaim.Found when string.IsNullOrWhiteSpace(name):
                return AuthenticationResult.Forbidden("The access token names no user.");
        }
        return AuthenticationResult.Success(new ChatIdentity(name!, [.. jwt.Claims], new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero)));
    }

    private AuthenticationResult Invalid(string why)
    {
        _logger.LogDebug("Refused an access token: {Why}", why);
        return AuthenticationResult.Unauthorized("The access token is invalid or has expired.", InvalidChallenge);
    }

    private static string? FindToken(UpgradeContext request)
    {
        if (request.Headers.TryGetValue("Authorization", out var authorization)
            && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }
        return request.Query.TryGetValue(QueryParameter, out var token) ? token : null;
    }
}
