using System.Net;
using System.Net.Sockets;

namespace Fleck.Chat.Host.Http;

/// <summary>How the address the pages listen on is shown to a person.</summary>
internal static class PageAddress
{
    /// <summary>The host name to print in the page URL: a wildcard is shown as this machine's loopback.</summary>
    public static string BrowsableHost(IPAddress address) =>
        address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? "127.0.0.1"
        : address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]"
        : address.ToString();
}
