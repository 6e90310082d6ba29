using System.Net;
using System.Net.Sockets;

namespace Fleck.Chat.Tests.Support;

/// <summary>
/// Free loopback ports for servers a test stops and starts again on the same port (a chat the
/// pages reconnect to, a redis-server that comes back). Port 0 will not do for those: the kernel
/// hands out its ephemeral range to every outgoing connection and every port-0 bind on the
/// machine, and the other test assemblies, running at the same time, could take the port in the
/// moment its server is down. These ports lie below that range, where only an explicit bind
/// lands; each process walks them from its own random start and never hands one out twice.
/// </summary>
internal static class LoopbackPorts
{
    private const int Lowest = 10_000;

    /// <summary>The one port of this range that Chromium refuses to load pages from (ERR_UNSAFE_PORT).</summary>
    private const int BrowserRefusedPort = 10_080;

    private static readonly object Gate = new();
    private static readonly int Highest = EphemeralRangeStart() - 1;
    private static int s_next = Random.Shared.Next(Lowest, Highest + 1);
    private static int s_handedOut;

    /// <summary>A port nothing is bound to on 127.0.0.1 right now, not handed out before by this process.</summary>
    public static int Next()
    {
        lock (Gate)
        {
            var span = Highest - Lowest + 1;
            while (s_handedOut < span)
            {
                var port = s_next;
                s_next = port == Highest ? Lowest : port + 1;
                s_handedOut++;
                if (port != BrowserRefusedPort && IsFree(port))
                {
                    return port;
                }
            }
            throw new InvalidOperationException($"no free loopback port left between {Lowest} and {Highest}");
        }
    }

    private static bool IsFree(int port)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int EphemeralRangeStart()
    {
        // Linux's default is 32768; another kernel setting is read where there is one.
        const string Setting = "/proc/sys/net/ipv4/ip_local_port_range";
        if (File.Exists(Setting) && int.TryParse(File.ReadAllText(Setting).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], out var start) && start > Lowest + 1000)
        {
            return start;
        }
        return 32_768;
    }
}
