using System.CommandLine;
using Fleck.Chat.Host.Http.Api;

namespace Fleck.Chat.Host.Cli;

/// <summary>
/// <c>--api-key</c>, with <see cref="ApiKey.EnvironmentVariable"/> as the fallback so the key need
/// not sit on a command line where any local user can read it. The key is hashed as soon as it is
/// parsed, and no error message ever repeats it.
/// </summary>
internal static class ApiKeyOption
{
    public static Option<ApiKey?> Create() => new("--api-key")
    {
        Description = $"Turn on the HTTP API (/api/* on the pages port) for callers presenting this key as a bearer token [default: ${ApiKey.EnvironmentVariable}, else off]",
        HelpName = "key",
        CustomParser = r =>
        {
            var key = ApiKey.FromText(r.Tokens[0].Value);
            if (key is null)
            {
                r.AddError("--api-key must not be empty");
            }
            return key;
        },
    };

    /// <summary>The flag wins; without it an environment variable that is set and not empty gives the key.</summary>
    public static ApiKey? Resolve(ApiKey? fromFlag) =>
        fromFlag ?? ApiKey.FromText(Environment.GetEnvironmentVariable(ApiKey.EnvironmentVariable));
}
