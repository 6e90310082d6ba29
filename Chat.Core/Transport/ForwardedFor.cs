using System.Net;

namespace Fleck.Chat.Transport;

/// <summary>
/// The client a trusted reverse proxy names in <c>X-Forwarded-For</c>. Each proxy appends the address
/// it received the request from, so only the right-most entries can be believed: the first one from
/// the right that is not itself a trusted proxy is the client; anything left of it may have been
/// written by the client and is never read.
/// </summary>
internal static class ForwardedFor
{
    /// <summary>
    /// The client in <paramref name="header"/>, or null when there is none to believe: no header, every
    /// entry a trusted proxy, or the entry that would name the client is not an address.
    /// </summary>
    public static IPAddress? Client(string? header, IReadOnlySet<IPAddress> trustedProxies)
    {
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }
        var rest = header.AsSpan();
        while (rest.Length > 0)
        {
            var comma = rest.LastIndexOf(',');
            var entry = rest[(comma + 1)..].Trim();
            rest = comma < 0 ? [] : rest[..comma];
            if (entry.IsEmpty)
            {
                continue;
            }
            if (!TryParse(entry, out var address))
            {
                return null;
            }
            address = ClientAddress.Normalize(address);
            if (!trustedProxies.Contains(address))
            {
                return address;
            }
        }
        return null;
    }

    /// <summary>An address as proxies write it: <c>203.0.113.7</c>, <c>203.0.113.7:4711</c>, <c>2001:db8::1</c> or <c>[2001:db8::1]:4711</c>.</summary>
    private static bool TryParse(ReadOnlySpan<char> entry, out IPAddress address)
    {
        if (entry[0] == '[')
        {
            var close = entry.IndexOf(']');
            if (close < 0)
            {
                address = IPAddress.None;
                return false;
            }
            entry = entry[1..close];
        }
        else if (entry.IndexOf(':') is var colon and >= 0 && entry.LastIndexOf(':') == colon)
        {
            // One colon: an IPv4 address with a port.
            entry = entry[..colon];
        }
        return IPAddress.TryParse(entry, out address!);
    }
}
