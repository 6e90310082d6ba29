using System.Globalization;
using System.Text;

namespace Fleck.Chat.Client.Connection;

/// <summary>Builds the address of one connection attempt: path, <c>v=3</c>, the token and the resume point.</summary>
internal static class ClientUri
{
    public static Uri Build(Uri server, string? nickname, string? token, StreamPosition? resume)
    {
        var path = server.AbsolutePath.TrimEnd('/');
        if (!path.EndsWith("/websocket", StringComparison.Ordinal))
        {
            path += "/websocket";
        }
        if (token is null && nickname is not null)
        {
            path += "/" + Uri.EscapeDataString(nickname);
        }
        // v=3: this client understands Part 3's events (typing, read, the sender's own private echo).
        var query = new StringBuilder("v=3");
        if (token is not null)
        {
            query.Append("&access_token=").Append(Uri.EscapeDataString(token));
        }
        if (resume is { } r)
        {
            query.Append(CultureInfo.InvariantCulture, $"&since={r.ResumeFrom}&epoch={Uri.EscapeDataString(r.Epoch)}");
        }
        return new UriBuilder(server) { Path = path, Query = query.ToString() }.Uri;
    }
}
