using System.Net.WebSockets;

namespace Fleck.Chat.Transport.Handshake;

/// <summary>
/// Picks a permessage-deflate offer (RFC 7692 §7) the BCL can honour and writes the matching
/// response. The server always asks for <c>client_no_context_takeover</c> (§7.1.1.2 allows it
/// unasked): then no connection keeps a 32 KiB inflate window alive between messages.
/// Server frames are sent uncompressed, which every receiver must accept (RFC 7692 §6).
/// </summary>
internal static class DeflateNegotiation
{
    private const string Name = "permessage-deflate";

    /// <summary>The BCL's zlib supports window sizes of 9 to 15 bits.</summary>
    private const int MinWindowBits = 9;

    private const int MaxWindowBits = 15;

    public static bool TryNegotiate(string? extensionsHeader, out WebSocketDeflateOptions? options, out string? responseHeader)
    {
        options = null;
        responseHeader = null;
        if (string.IsNullOrWhiteSpace(extensionsHeader))
        {
            return false;
        }
        foreach (var offer in extensionsHeader.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (TryAccept(offer, out options, out responseHeader))
            {
                return true;
            }
        }
        return false;
    }

    private static bool TryAccept(string offer, out WebSocketDeflateOptions? options, out string? response)
    {
        options = null;
        response = null;
        var parts = offer.Split(';', StringSplitOptions.TrimEntries);
        if (!parts[0].Equals(Name, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var result = new WebSocketDeflateOptions { ClientContextTakeover = false };
        var reply = new List<string> { Name, "client_no_context_takeover" };
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in parts.Skip(1))
        {
            var eq = parameter.IndexOf('=', StringComparison.Ordinal);
            var key = (eq < 0 ? parameter : parameter[..eq]).Trim();
            var value = eq < 0 ? null : parameter[(eq + 1)..].Trim().Trim('"');
            if (!seen.Add(key))
            {
                return false; // A repeated parameter makes the offer invalid (RFC 7692 §7.1).
            }
            switch (key.ToLowerInvariant())
            {
                case "server_no_context_takeover" when value is null:
                    result.ServerContextTakeover = false;
                    reply.Add("server_no_context_takeover");
                    break;
                case "client_no_context_takeover" when value is null:
                    break;
                case "server_max_window_bits":
                    if (!TryWindowBits(value, out var serverBits) || serverBits < MinWindowBits)
                    {
                        return false;
                    }
                    result.ServerMaxWindowBits = serverBits;
                    reply.Add($"server_max_window_bits={serverBits}");
                    break;
                case "client_max_window_bits":
                    if (value is not null)
                    {
                        if (!TryWindowBits(value, out var clientBits))
                        {
                            return false;
                        }
                        // Inflating with a larger window than the sender used is always safe.
                        reply.Add($"client_max_window_bits={clientBits}");
                    }
                    break;
                default:
                    return false;
            }
        }
        options = result;
        response = string.Join("; ", reply);
        return true;
    }

    private static bool TryWindowBits(string? value, out int bits)
    {
        bits = 0;
        return value is not null && value.Length <= 2 && int.TryParse(value, out bits) && bits is >= 8 and <= MaxWindowBits;
    }
}
