using System.Net;
using System.Net.Sockets;

namespace Fleck.Chat.Redis.Tests.Support;

/// <summary>
/// A loopback TCP relay in front of Redis, to cut one node off while Redis stays up for the
/// others (a network partition). While severed, every connection through it is dropped at once.
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly List<Socket> _open = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private bool _severed;

    public TcpRelay(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public string Configuration => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Drops every relayed connection and refuses new ones until <see cref="Heal"/>.</summary>
    public void Sever()
    {
        lock (_lock)
        {
            _severed = true;
            foreach (var socket in _open)
            {
                socket.Close(0);
            }
            _open.Clear();
        }
    }

    public void Heal()
    {
        lock (_lock)
        {
            _severed = false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Sever();
        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        lock (_lock)
        {
            if (_severed)
            {
                client.Close(0);
                server.Dispose();
                return;
            }
            _open.Add(client);
            _open.Add(server);
        }
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort);
            await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            lock (_lock)
            {
                _open.Remove(client);
                _open.Remove(server);
            }
            client.Close(0);
            server.Close(0);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    return;
                }
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }
}
