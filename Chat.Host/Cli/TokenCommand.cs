using System.CommandLine;
using System.Security.Claims;
using System.Text;
using Fleck.Chat.Identity;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Fleck.Chat.Host.Cli;

/// <summary>
/// <c>Chat.Host token --secret S --name alice --minutes 60</c>: prints an HS256 token the host
/// started with the same secret accepts, for trying identity out without an identity provider.
/// </summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var secret = new Option<string?>("--secret") { Description = $"The HS256 secret the host checks with [default: ${JwtOptions.SecretVariable}]", HelpName = "secret" };
        var name = new Option<string>("--name") { Description = "The user's name (the name and sub claims)", Required = true, HelpName = "name" };
        var minutes = new Option<int>("--minutes")
        {
            Description = "Minutes until the token expires",
            DefaultValueFactory = _ => 60,
            CustomParser = r => OptionParsers.Int(r, 1, 60 * 24 * 366),
            HelpName = "minutes",
        };
        var issuer = new Option<string?>("--issuer") { Description = "The iss claim", HelpName = "issuer" };
        var audience = new Option<string?>("--audience") { Description = "The aud claim", HelpName = "audience" };
        var command = new Command("token", "Print a signed access token (HS256) for trying --jwt-secret out") { secret, name, minutes, issuer, audience };
        command.SetAction(async (result, _) =>
        {
            var key = result.GetValue(secret) ?? JwtOptions.SecretFromEnvironment();
            if (key is null)
            {
                await Console.Error.WriteLineAsync($"error: give --secret, or set {JwtOptions.SecretVariable}");
                return 1;
            }
            var bytes = Encoding.UTF8.GetBytes(key);
            if (bytes.Length < JwtAuthenticator.MinimumSecretBytes)
            {
                await Console.Error.WriteLineAsync($"error: --secret must be at least {JwtAuthenticator.MinimumSecretBytes} bytes long");
                return 1;
            }
            Console.WriteLine(Create(bytes, result.GetValue(name)!, TimeSpan.FromMinutes(result.GetValue(minutes)), result.GetValue(issuer), result.GetValue(audience)));
            return 0;
        });
        return command;
    }

    /// <summary>An HS256 token for <paramref name="name"/>, valid from now for <paramref name="lifetime"/>.</summary>
    public static string Create(byte[] secret, string name, TimeSpan lifetime, string? issuer, string? audience)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", name), new Claim("name", name)]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Issuer = issuer,
            Audience = audience,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(secret), SecurityAlgorithms.HmacSha256),
        });
    }
}
