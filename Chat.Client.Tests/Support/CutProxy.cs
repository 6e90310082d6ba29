using System.Net;
using System.Net.Sockets;

namespace Fleck.Chat.Client.Tests.Support;

/// <summary>
/// A TCP proxy on loopback in front of the host that the test can cut: every connection through it is
/// a pair of sockets piped both ways, and <see cref="CutAll"/> resets every pair at once, as a network
/// blink does. Clients connect to <see cref="Port"/>. In front of several hosts, each new connection
/// goes to the next one in turn, so a reconnect lands on another host.
/// </summary>
internal sealed class CutProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int[] _targets;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(Socket Inbound, Socket Outbound)> _pairs = [];
    private readonly List<Task> _pipes = [];
    private readonly Task _accept;

    private CutProxy(int[] targets)
    {
        _targets = targets;
        _listener.Start();
        _accept = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How many connections have been cut so far.</summary>
    public int Cuts { get; private set; }

    /// <summary>How many connections the proxy has taken, each to the next target in turn.</summary>
    public int Connections { get; private set; }

    public static CutProxy Start(params int[] targetPorts) => new(targetPorts);

    /// <summary>Resets every connection through the proxy, both sides.</summary>
    public void CutAll()
    {
        lock (_pairs)
        {
            foreach (var (inbound, outbound) in _pairs)
            {
                Reset(inbound);
                Reset(outbound);
                Cuts++;
            }
            _pairs.Clear();
        }
    }

    /// <summary>Cuts every connection at a random moment every <paramref name="min"/> to <paramref name="max"/>, until <paramref name="ct"/> ends.</summary>
    public async Task CutRandomlyAsync(TimeSpan min, TimeSpan max, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next((int)min.TotalMilliseconds, (int)max.TotalMilliseconds + 1)), ct);
                CutAll();
            }
        }
        catch (OperationCanceledException)
        {
            // The test is done with the chaos.
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var inbound = await _listener.AcceptSocketAsync(_stop.Token);
                var outbound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                inbound.NoDelay = true;
                try
                {
                    await outbound.ConnectAsync(IPAddress.Loopback, _targets[Connections++ % _targets.Length], _stop.Token);
                }
                catch (SocketException)
                {
                    Reset(inbound);
                    outbound.Dispose();
                    continue;
                }
                lock (_pairs)
                {
                    _pairs.Add((inbound, outbound));
                    _pipes.Add(PipeAsync(inbound, outbound));
                    _pipes.Add(PipeAsync(outbound, inbound));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopped.
        }
    }

    private static async Task PipeAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (n == 0)
                {
                    break;
                }
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Cut.
        }
        Reset(from);
        Reset(to);
    }

    private static void Reset(Socket socket)
    {
        try
        {
            // Linger 0: close with a reset, as a dropped network path looks to both ends.
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
        socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept;
        CutAll();
        Task[] pipes;
        lock (_pairs)
        {
            pipes = [.. _pipes];
        }
        await Task.WhenAll(pipes);
        _stop.Dispose();
    }
}
