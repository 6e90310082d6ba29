using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fleck.Chat.Tests.Support;

/// <summary>
/// Many raw TCP connections to a pages port, opened at once and held: idle, or trickling a request
/// a byte at a time. Connections the server refuses or closes are simply counted as gone.
/// </summary>
internal sealed class PagePortConnections : IDisposable
{
    private readonly List<Socket> _sockets;

    private PagePortConnections(List<Socket> sockets) => _sockets = sockets;

    /// <summary>How many connects succeeded (the server may still close them at once when it is at its cap).</summary>
    public int Opened => _sockets.Count;

    /// <summary>Opens <paramref name="count"/> connections; a connect the server's backlog refuses is left out.</summary>
    public static async Task<PagePortConnections> OpenAsync(int port, int count, CancellationToken ct)
    {
        var sockets = new List<Socket>(count);
        var connects = Enumerable.Range(0, count).Select(async _ =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, port, ct);
                return socket;
            }
            catch (SocketException)
            {
                socket.Dispose();
                return null;
            }
        });
        foreach (var socket in await Task.WhenAll(connects))
        {
            if (socket is not null)
            {
                sockets.Add(socket);
            }
        }
        return new PagePortConnections(sockets);
    }

    /// <summary>
    /// Sends <paramref name="text"/> on every connection one byte per <paramref name="interval"/>,
    /// all connections in step, until the text is out or <paramref name="ct"/> ends the trickle.
    /// </summary>
    public async Task TrickleAsync(string text, TimeSpan interval, CancellationToken ct)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        using var timer = new PeriodicTimer(interval);
        for (var i = 0; i < bytes.Length; i++)
        {
            foreach (var socket in _sockets)
            {
                try
                {
                    // Loopback sends of one byte complete at once; a closed peer fails them, which is expected here.
                    socket.Send(bytes.AsSpan(i, 1), SocketFlags.None, out _);
                }
                catch (ObjectDisposedException)
                {
                }
            }
            if (!await timer.WaitForNextTickAsync(ct))
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
    }
}
