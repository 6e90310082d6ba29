using System.Text;

namespace Fleck.Chat.Transport.Handshake;

/// <summary>A parsed HTTP/1.1 request head: request line and header fields (RFC 9112 §3, §5).</summary>
internal sealed class UpgradeRequest
{
    private UpgradeRequest(byte[] rawHead, string method, string target, string version, Dictionary<string, string> headers)
    {
        RawHead = rawHead;
        Method = method;
        Target = target;
        Version = version;
        Headers = headers;
        var q = target.IndexOf('?', StringComparison.Ordinal);
        Path = q < 0 ? target : target[..q];
        Query = q < 0 ? "" : target[(q + 1)..];
    }

    /// <summary>The request head as received (one byte per character); a connection keeps only this and parses headers again on demand.</summary>
    public byte[] RawHead { get; }

    public string Method { get; }
    public string Target { get; }
    public string Path { get; }
    public string Query { get; }
    public string Version { get; }

    /// <summary>Header fields by case-insensitive name; repeated fields are joined with ", " (RFC 9110 §5.3).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    /// <summary>True when a comma-separated header contains <paramref name="token"/>, compared case-insensitively.</summary>
    public bool HeaderHasToken(string name, string token)
    {
        var value = Header(name);
        if (value is null)
        {
            return false;
        }
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.Equals(token, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Parses a request head (without the final empty line); null when it is not well-formed HTTP/1.x.</summary>
    public static UpgradeRequest? TryParse(ReadOnlySpan<byte> head)
    {
        // Header bytes outside ASCII are not meaningful to us; Latin-1 keeps them one char per byte so nothing is lost.
        var text = Encoding.Latin1.GetString(head);
        var lines = text.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || requestLine[0].Length == 0 || requestLine[1].Length == 0)
        {
            return null;
        }
        var version = requestLine[2];
        if (!version.StartsWith("HTTP/1.", StringComparison.Ordinal) || version.Length != 8 || !char.IsAsciiDigit(version[7]))
        {
            return null;
        }
        foreach (var c in requestLine[0])
        {
            if (!char.IsAsciiLetterUpper(c))
            {
                return null;
            }
        }
        var headers = ParseHeaderLines(lines);
        if (headers is null)
        {
            return null;
        }
        return new UpgradeRequest(head.ToArray(), requestLine[0], requestLine[1], version, headers);
    }

    /// <summary>The header fields of a head kept as <see cref="RawHead"/>.</summary>
    public static Dictionary<string, string> ParseHeaders(byte[] rawHead) => ParseHeaderLines(Encoding.Latin1.GetString(rawHead).Split("\r\n")) ?? [];

    private static Dictionary<string, string>? ParseHeaderLines(string[] lines)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i];
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            // No obsolete line folding, no whitespace before the colon (RFC 9112 §5.1, §5.2).
            if (colon <= 0 || line[0] is ' ' or '\t' || line[colon - 1] is ' ' or '\t')
            {
                return null;
            }
            var name = line[..colon];
            foreach (var c in name)
            {
                if (c <= ' ' || c >= 0x7F)
                {
                    return null;
                }
            }
            var value = line[(colon + 1)..].Trim(' ', '\t');
            headers[name] = headers.TryGetValue(name, out var existing) ? existing + ", " + value : value;
        }
        return headers;
    }
}
