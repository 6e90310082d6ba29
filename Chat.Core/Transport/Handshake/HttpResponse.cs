using System.Text;

namespace Fleck.Chat.Transport.Handshake;

/// <summary>Formats the few HTTP/1.1 responses the WebSocket port ever sends.</summary>
internal static class HttpResponse
{
    public static byte[] SwitchingProtocols(string accept, string? subProtocol, string? extensions)
    {
        var sb = new StringBuilder(160)
            .Append("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ")
            .Append(accept).Append("\r\n");
        if (subProtocol is not null)
        {
            sb.Append("Sec-WebSocket-Protocol: ").Append(subProtocol).Append("\r\n");
        }
        if (extensions is not null)
        {
            sb.Append("Sec-WebSocket-Extensions: ").Append(extensions).Append("\r\n");
        }
        return Encoding.ASCII.GetBytes(sb.Append("\r\n").ToString());
    }

    /// <summary>
    /// A short plain-text refusal; the connection is closed after it. The body never repeats what the
    /// client sent, and nosniff keeps a browser from reading it as anything but text.
    /// </summary>
    public static byte[] Error(int status, string reason, string body, params string[] extraHeaders)
    {
        var bodyBytes = Encoding.UTF8.GetBytes(body + "\n");
        var sb = new StringBuilder(200)
            .Append("HTTP/1.1 ").Append(status).Append(' ').Append(reason).Append("\r\n")
            .Append("Content-Type: text/plain; charset=utf-8\r\n")
            .Append("Content-Length: ").Append(bodyBytes.Length).Append("\r\n")
            .Append("Connection: close\r\n")
            .Append("X-Content-Type-Options: nosniff\r\n");
        foreach (var header in extraHeaders)
        {
            sb.Append(header).Append("\r\n");
        }
        sb.Append("\r\n");
        var head = Encoding.ASCII.GetBytes(sb.ToString());
        return [.. head, .. bodyBytes];
    }
}
