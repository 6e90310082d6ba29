using System.Text;
using Fleck.Chat.Host.Cli;

namespace Fleck.Chat.Browser.Tests.Support;

/// <summary>Tokens for pages opened with identity on: the secret the test host checks them with, and one per user.</summary>
internal static class PageTokens
{
    public const string Secret = "browser-test-secret-long-enough-for-hs256";

    /// <summary>A ten-minute token for <paramref name="user"/>.</summary>
    public static string For(string user) => TokenCommand.Create(Encoding.UTF8.GetBytes(Secret), user, TimeSpan.FromMinutes(10), null, null);
}
