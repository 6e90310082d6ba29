using Fleck.Chat.Identity;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Host.Cli;

/// <summary>Turns the <c>--jwt-*</c> settings into the authenticator, or one readable start-up error.</summary>
internal static class JwtOptions
{
    /// <summary>Where the secret can come from instead of the command line, which other users of the machine can read.</summary>
    public const string SecretVariable = "FLECK_CHAT_JWT_SECRET";

    public static string? SecretFromEnvironment() =>
        Environment.GetEnvironmentVariable(SecretVariable) is { Length: > 0 } secret ? secret : null;

    /// <summary>Null when identity is off; throws <see cref="HostStartException"/> for a short secret or an unreadable key.</summary>
    public static IConnectionAuthenticator? CreateAuthenticator(HostSettings settings, ILoggerFactory loggerFactory)
    {
        if (!settings.IdentityRequired)
        {
            return null;
        }
        var logger = loggerFactory.CreateLogger("Fleck.Chat.Identity");
        if (settings.JwtSecret is not null && settings.JwtPublicKeyPath is not null)
        {
            throw new HostStartException("give either --jwt-secret or --jwt-public-key, not both");
        }
        if (settings.JwtSecret is { } secret)
        {
            try
            {
                return JwtAuthenticator.WithSecret(secret, settings.JwtIssuer, settings.JwtAudience, logger);
            }
            catch (ArgumentException)
            {
                // The message would be the library's; this one names the flag, and never the secret.
                throw new HostStartException($"--jwt-secret must be at least {JwtAuthenticator.MinimumSecretBytes} bytes long");
            }
        }
        var path = settings.JwtPublicKeyPath!;
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new HostStartException($"cannot read --jwt-public-key {path}: {ex.Message}", ex);
        }
        try
        {
            return JwtAuthenticator.WithPublicKey(pem, settings.JwtIssuer, settings.JwtAudience, logger);
        }
        catch (ArgumentException ex)
        {
            throw new HostStartException($"--jwt-public-key {path}: {ex.Message.Split(" (Parameter", 2)[0]}", ex);
        }
    }
}
