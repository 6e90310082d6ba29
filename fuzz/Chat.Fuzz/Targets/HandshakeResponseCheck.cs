using System.Net.WebSockets;
using System.Text;
using Fleck.Chat.Transport;
using Fleck.Chat.Transport.Handshake;

namespace Fleck.Chat.Fuzz;

/// <summary>
/// What every handshake answer must be, whatever the request: well-formed HTTP/1.1 whose header
/// lines cannot be split by request bytes, a body as long as Content-Length says, and for a 101
/// exactly what was negotiated, in a form the BCL WebSocket accepts.
/// </summary>
internal static class HandshakeResponseCheck
{
    public static void Verify(UpgradeRequest request, WebSocketServerOptions options, HandshakeOutcome outcome)
    {
        var response = outcome.Response;
        var end = response.AsSpan().IndexOf("\r\n\r\n"u8);
        FuzzInvariantException.Check(end > 0, "the response has no end of head");
        var head = response.AsSpan(0, end);
        foreach (var b in head)
        {
            FuzzInvariantException.Check(b is >= 0x20 and < 0x7F or (byte)'\r' or (byte)'\n', "the response head holds a control or non-ASCII byte");
        }
        var lines = Encoding.ASCII.GetString(head).Split("\r\n");
        foreach (var line in lines)
        {
            FuzzInvariantException.Check(!line.Contains('\r') && !line.Contains('\n'), "a bare CR or LF in the response head");
        }
        FuzzInvariantException.Check(lines[0].StartsWith($"HTTP/1.1 {outcome.Status} ", StringComparison.Ordinal), "the status line does not carry the outcome's status");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            FuzzInvariantException.Check(colon > 0, $"a response header line without a name: {line}");
            FuzzInvariantException.Check(headers.TryAdd(line[..colon], line[(colon + 2)..]), $"a repeated response header: {line}");
        }
        var bodyLength = response.Length - end - 4;
        if (!outcome.Accepted)
        {
            FuzzInvariantException.Check(outcome.Deflate is null && outcome.SubProtocol is null, "a refusal that negotiated something");
            FuzzInvariantException.Check(
                headers.TryGetValue("Content-Length", out var length) && length == bodyLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "Content-Length does not match the body");
            FuzzInvariantException.Check(headers.GetValueOrDefault("X-Content-Type-Options") == "nosniff", "a refusal without X-Content-Type-Options: nosniff");
            FuzzInvariantException.Check(outcome.Status != 404 || !Encoding.Latin1.GetString(response, end + 4, bodyLength).Contains(request.Path, StringComparison.Ordinal),
                "the 404 repeats the request path");
            return;
        }

        FuzzInvariantException.Check(bodyLength == 0, "a 101 with a body");
        FuzzInvariantException.Check(outcome.Status == 101, "accepted without 101");
        var key = request.Header("Sec-WebSocket-Key");
        FuzzInvariantException.Check(WebSocketAccept.IsValidKey(key), "accepted an invalid key");
        FuzzInvariantException.Check(headers.GetValueOrDefault("Sec-WebSocket-Accept") == WebSocketAccept.Compute(key!), "a wrong Sec-WebSocket-Accept");

        var protocol = headers.GetValueOrDefault("Sec-WebSocket-Protocol");
        FuzzInvariantException.Check(protocol == outcome.SubProtocol, "the subprotocol header differs from the selected subprotocol");
        FuzzInvariantException.Check(protocol is null || options.SubProtocols.Contains(protocol), "selected a subprotocol the server does not speak");

        var extensions = headers.GetValueOrDefault("Sec-WebSocket-Extensions");
        FuzzInvariantException.Check((extensions is null) == (outcome.Deflate is null), "the extensions header and the deflate options disagree");
        FuzzInvariantException.Check(options.EnableCompression || extensions is null, "deflate negotiated with compression off");
        if (extensions is not null)
        {
            // The reply is itself a valid offer, and reading it back gives the same server side.
            FuzzInvariantException.Check(DeflateNegotiation.TryNegotiate(extensions, out var again, out _), $"the server's own extension reply is not a valid offer: {extensions}");
            FuzzInvariantException.Check(
                again!.ServerContextTakeover == outcome.Deflate!.ServerContextTakeover && again.ServerMaxWindowBits == outcome.Deflate.ServerMaxWindowBits,
                $"the extension reply does not say what the options do: {extensions}");
        }
        // The connection hands the outcome to the BCL as it is; it must take it.
        using var socket = WebSocket.CreateFromStream(Stream.Null, new WebSocketCreationOptions
        {
            IsServer = true,
            SubProtocol = outcome.SubProtocol,
            DangerousDeflateOptions = outcome.Deflate,
        });
    }
}
