using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Fleck.Chat.Transport;

/// <summary>
/// The unit the per-address limits count by: an IPv4 address, or the /64 prefix of an IPv6 one (what
/// one host or home network is given, so a client cannot escape its limit by changing the low bits).
/// IPv4-mapped IPv6 addresses count as the IPv4 address they carry.
/// </summary>
internal readonly record struct ClientAddress(ulong Bits, bool IsV6)
{
    public static ClientAddress Of(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            return new ClientAddress(BinaryPrimitives.ReadUInt32BigEndian(bytes), IsV6: false);
        }
        address.TryWriteBytes(bytes, out _);
        if (address.IsIPv4MappedToIPv6)
        {
            return new ClientAddress(BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]), IsV6: false);
        }
        return new ClientAddress(BinaryPrimitives.ReadUInt64BigEndian(bytes), IsV6: true);
    }

    /// <summary>The address as an operator reads it: <c>203.0.113.7</c> or <c>2001:db8:1:2::/64</c>.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!IsV6)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)Bits);
            return new IPAddress(bytes[..4]).ToString();
        }
        BinaryPrimitives.WriteUInt64BigEndian(bytes, Bits);
        return new IPAddress(bytes).ToString() + "/64";
    }

    /// <summary>An address as the trusted-proxy list compares it: IPv4-mapped IPv6 as IPv4, without an IPv6 scope.</summary>
    public static IPAddress Normalize(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }
        return address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0
            ? new IPAddress(address.GetAddressBytes())
            : address;
    }
}
