using System.Net;
using System.Net.Sockets;

namespace Fleck.Chat.Tests.Transport;

/// <summary>
/// A TCP relay between one client and a server that can go silent: after <see cref="BlackHole"/>
/// it keeps both sockets open and reads both sides, but forwards nothing, as a link that died
/// without either end being told would. Neither end ever sees a FIN or a reset from it.
/// </summary>
internal sealed class BlackHoleRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _pumps = [];
    private volatile bool _silent;

    private BlackHoleRelay(int target) => _target = target;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Starts listening; the first client accepted is connected through to 127.0.0.1:<paramref name="targetPort"/>.</summary>
    public static BlackHoleRelay Start(int targetPort)
    {
        var relay = new BlackHoleRelay(targetPort);
        relay._listener.Start();
        relay._pumps.Add(relay.AcceptAsync());
        return relay;
    }

    /// <summary>From now on nothing is forwarded either way.</summary>
    public void BlackHole() => _silent = true;

    private async Task AcceptAsync()
    {
        try
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await server.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
            lock (_sockets)
            {
                _sockets.Add(client);
                _sockets.Add(server);
            }
            await Task.WhenAll(PumpAsync(client, server), PumpAsync(server, client));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var n = await from.ReceiveAsync(buffer, _stop.Token);
            if (n == 0)
            {
                if (!_silent)
                {
                    to.Shutdown(SocketShutdown.Send);
                }
                return;
            }
            if (!_silent)
            {
                await to.SendAsync(buffer.AsMemory(0, n), _stop.Token);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }
        await Task.WhenAll(_pumps);
        _stop.Dispose();
    }
}
