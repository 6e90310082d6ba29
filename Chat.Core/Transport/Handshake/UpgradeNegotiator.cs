using System.Net.WebSockets;

namespace Fleck.Chat.Transport.Handshake;

/// <summary>
/// Decides whether an HTTP request becomes a WebSocket (RFC 6455 §4.2.1, §4.2.2) and writes the
/// answer: a 101 with the negotiated subprotocol and extensions, or a short refusal.
/// </summary>
internal static class UpgradeNegotiator
{
    public static HandshakeOutcome Negotiate(UpgradeRequest request, WebSocketServerOptions options, Func<string, bool> acceptsPath)
    {
        if (request.Method != "GET")
        {
            return Refuse(405, "Method Not Allowed", "A WebSocket handshake is a GET request.", "Allow: GET");
        }
        if (request.Version == "HTTP/1.0")
        {
            return Refuse(400, "Bad Request", "A WebSocket handshake needs HTTP/1.1 or later.");
        }
        if (!request.Target.StartsWith('/'))
        {
            return Refuse(400, "Bad Request", "The request target must be an absolute path.");
        }
        if (!acceptsPath(request.Path))
        {
            return Refuse(404, "Not Found", "No WebSocket endpoint at this path.");
        }
        if (request.Header("Upgrade") is null)
        {
            return Refuse(426, "Upgrade Required", "This port speaks WebSocket only; open the chat page instead.",
                "Upgrade: websocket", "Sec-WebSocket-Version: 13");
        }
        if (!request.HeaderHasToken("Upgrade", "websocket"))
        {
            return Refuse(400, "Bad Request", "The Upgrade header must name websocket.");
        }
        if (!request.HeaderHasToken("Connection", "Upgrade"))
        {
            return Refuse(400, "Bad Request", "The Connection header must contain Upgrade.");
        }
        if (string.IsNullOrWhiteSpace(request.Header("Host")))
        {
            return Refuse(400, "Bad Request", "The Host header is missing.");
        }
        if (request.Header("Sec-WebSocket-Version") != "13")
        {
            return Refuse(426, "Upgrade Required", "Only WebSocket version 13 is supported.", "Sec-WebSocket-Version: 13");
        }
        var key = request.Header("Sec-WebSocket-Key");
        if (!WebSocketAccept.IsValidKey(key))
        {
            return Refuse(400, "Bad Request", "Sec-WebSocket-Key must be the base64 form of 16 bytes.");
        }
        if (!OriginAllowed(request.Header("Origin"), options.AllowedOrigins))
        {
            return Refuse(403, "Forbidden", "This origin may not connect.");
        }
        var subProtocol = SelectSubProtocol(request, options.SubProtocols);
        WebSocketDeflateOptions? deflate = null;
        string? extensions = null;
        if (options.EnableCompression)
        {
            DeflateNegotiation.TryNegotiate(request.Header("Sec-WebSocket-Extensions"), out deflate, out extensions);
        }
        var response = HttpResponse.SwitchingProtocols(WebSocketAccept.Compute(key!), subProtocol, extensions);
        return new HandshakeOutcome(101, response, subProtocol, deflate);
    }

    /// <summary>The answer to a request head that could not be parsed or did not fit the limit.</summary>
    public static HandshakeOutcome Malformed(string why) => Refuse(400, "Bad Request", why);

    public static HandshakeOutcome TooLarge() =>
        Refuse(431, "Request Header Fields Too Large", "The handshake request is too large.");

    /// <summary><see cref="ServerFull"/>, made once: the answer to sockets refused as they are accepted.</summary>
    public static HandshakeOutcome ServerFullAnswer { get; } = ServerFull();

    public static HandshakeOutcome ServerFull() =>
        Refuse(503, "Service Unavailable", "The server is at its connection limit; try again later.", "Retry-After: 5");

    /// <summary>
    /// The answer to a client address over its per-address limits: 429, sent before anything is read.
    /// The same bytes every time, so refusing a flood allocates nothing.
    /// </summary>
    public static HandshakeOutcome TooManyFromAddress { get; } =
        Refuse(429, "Too Many Requests", "Too many connections from your address; try again later.", "Retry-After: 1");

    private static HandshakeOutcome Refuse(int status, string reason, string body, params string[] headers) =>
        new(status, HttpResponse.Error(status, reason, body, headers), null, null);

    private static bool OriginAllowed(string? origin, IReadOnlyCollection<string>? allowed)
    {
        if (allowed is null || allowed.Count == 0)
        {
            return true;
        }
        return origin is not null && allowed.Any(a => a.Equals(origin, StringComparison.OrdinalIgnoreCase));
    }

    private static string? SelectSubProtocol(UpgradeRequest request, IReadOnlyList<string> supported)
    {
        var offered = request.Header("Sec-WebSocket-Protocol");
        if (offered is null || supported.Count == 0)
        {
            return null;
        }
        var offers = offered.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        // Subprotocol names are case-sensitive tokens (RFC 6455 §4.1, §11.5).
        return supported.FirstOrDefault(s => offers.Contains(s, StringComparer.Ordinal));
    }
}

/// <summary>What the handshake decided: the bytes to send back, and for a 101 what was negotiated.</summary>
internal sealed record HandshakeOutcome(int Status, byte[] Response, string? SubProtocol, WebSocketDeflateOptions? Deflate)
{
    public bool Accepted => Status == 101;
}
