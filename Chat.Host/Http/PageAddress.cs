using System.Net;
using System.Net.Sockets;

namespace Fleck.Chat.Host.Http;

/// <summary>
/// Where the pages listen for a given --host, in the terms HttpListener understands. On Linux the
/// managed HttpListener binds the address its prefix names, answers only requests whose Host header
/// matches that name, reads "+" as 0.0.0.0, and cannot parse an IPv6 literal at all.
/// </summary>
internal static class PageAddress
{
    /// <summary>Throws <see cref="HostStartException"/> for an address HttpListener cannot listen on.</summary>
    public static void EnsureSupported(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && !address.Equals(IPAddress.IPv6Any))
        {
            throw new HostStartException(
                $"--host {address}: the pages cannot be served on one IPv6 address (HttpListener cannot listen on one); use --host :: for every interface, or an IPv4 address");
        }
    }

    /// <summary>The prefixes to listen on.</summary>
    public static IReadOnlyList<string> Prefixes(IPAddress address, int port)
    {
        EnsureSupported(address);
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            // Every interface and any Host header. "::" gets IPv4 only here (HttpListener has no IPv6 wildcard);
            // the WebSocket server itself listens dual-stack.
            return [$"http://+:{port}/"];
        }
        // The loopback also answers to "localhost", which browsers use as often as 127.0.0.1.
        return address.Equals(IPAddress.Loopback)
            ? [$"http://{address}:{port}/", $"http://localhost:{port}/"]
            : [$"http://{address}:{port}/"];
    }

    /// <summary>The host name to print in the page URL: a wildcard is shown as this machine's loopback.</summary>
    public static string BrowsableHost(IPAddress address) =>
        address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? "127.0.0.1"
        : address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]"
        : address.ToString();
}
