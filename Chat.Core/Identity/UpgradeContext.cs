using System.Net;
using Fleck.Chat.Transport.Handshake;

namespace Fleck.Chat.Identity;

/// <summary>
/// The upgrade request as an <see cref="IConnectionAuthenticator"/> sees it: path, query, header
/// fields, cookies and the client's address. Query and cookies are parsed on first use.
/// </summary>
public sealed class UpgradeContext
{
    private readonly UpgradeRequest _request;
    private IReadOnlyDictionary<string, string>? _query;
    private IReadOnlyDictionary<string, string>? _cookies;

    internal UpgradeContext(UpgradeRequest request, IPEndPoint? remoteEndPoint, bool isSecure)
    {
        _request = request;
        RemoteEndPoint = remoteEndPoint;
        IsSecure = isSecure;
    }

    /// <summary>Request path, still percent-encoded, without the query.</summary>
    public string Path => _request.Path;

    /// <summary>Query parameters, percent-decoded (<c>+</c> read as a space); the first of repeated names wins.</summary>
    public IReadOnlyDictionary<string, string> Query => _query ??= ParseQuery(_request.Query);

    /// <summary>Header fields by case-insensitive name; repeated fields are joined with ", ".</summary>
    public IReadOnlyDictionary<string, string> Headers => _request.Headers;

    /// <summary>Cookies from the <c>Cookie</c> header, by name (case-sensitive); the first of repeated names wins.</summary>
    public IReadOnlyDictionary<string, string> Cookies => _cookies ??= ParseCookies(_request.Header("Cookie"));

    /// <summary>The client's address and port.</summary>
    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>Whether the request came over TLS.</summary>
    public bool IsSecure { get; }

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Decode(pair[(eq + 1)..]);
            parameters.TryAdd(name, value);
        }
        return parameters;
    }

    private static string Decode(string component) => Uri.UnescapeDataString(component.Replace('+', ' '));

    private static Dictionary<string, string> ParseCookies(string? header)
    {
        var cookies = new Dictionary<string, string>(StringComparer.Ordinal);
        if (header is null)
        {
            return cookies;
        }
        // RFC 6265 §4.2.1: cookie-pairs separated by "; "; clients that join several Cookie fields use ", " (RFC 9110 §5.3).
        foreach (var pair in header.Split([';', ','], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }
            var value = pair[(eq + 1)..].Trim();
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
            {
                value = value[1..^1];
            }
            cookies.TryAdd(pair[..eq].Trim(), value);
        }
        return cookies;
    }
}
