using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Fleck.Chat.Host.Http;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Host;

/// <summary>
/// The pages port does not hold a connection for ever: one that takes too long to send its request
/// headers, or sits idle before or between requests, is closed by the server.
/// </summary>
[CancelAfter(120_000)]
[Parallelizable(ParallelScope.All)]
public sealed class PageConnectionTimeoutTests
{
    // Kestrel checks its timeouts on a one-second heartbeat; a loaded machine adds to that.
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(4);

    [Test]
    public async Task A_connection_that_trickles_its_headers_is_closed_within_the_header_timeout()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(60));
        await using var host = await HostProcess.StartReadyAsync(ct, HostProcess.OnLoopback("broadcast"));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, host.HttpPort, ct);
        var stream = tcp.GetStream();
        var started = Stopwatch.StartNew();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"), ct);
        using var trickling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var trickle = TrickleAsync(stream, trickling.Token);

        await ReadUntilClosedAsync(stream, ct);
        var closedAfter = started.Elapsed;
        await trickling.CancelAsync();
        await trickle;

        Assert.That(closedAfter, Is.LessThan(PageServerLimits.DefaultHeadersTimeout + Margin));
        Assert.That(closedAfter, Is.GreaterThan(PageServerLimits.DefaultHeadersTimeout - Margin), "closed by the header timeout, not something sooner");
    }

    [Test]
    public async Task An_idle_keep_alive_connection_is_closed_within_the_keep_alive_timeout()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(90));
        await using var host = await HostProcess.StartReadyAsync(ct, HostProcess.OnLoopback("broadcast"));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, host.HttpPort, ct);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), ct);
        var buffer = new byte[4096];
        var answered = await stream.ReadAsync(buffer, ct);
        var idleSince = Stopwatch.StartNew();

        await ReadUntilClosedAsync(stream, ct);
        var closedAfter = idleSince.Elapsed;

        Assert.That(Encoding.ASCII.GetString(buffer, 0, answered), Does.StartWith("HTTP/1.1 200 "));
        Assert.That(closedAfter, Is.LessThan(PageServerLimits.DefaultKeepAliveTimeout + Margin));
        Assert.That(closedAfter, Is.GreaterThan(PageServerLimits.DefaultKeepAliveTimeout - Margin), "closed by the keep-alive timeout, not something sooner");
    }

    /// <summary>One more header byte a second, as a slow client would, until cancelled or the server hangs up.</summary>
    private static async Task TrickleAsync(NetworkStream stream, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                await stream.WriteAsync("X"u8.ToArray(), ct);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
        }
    }

    /// <summary>Reads whatever the server still says until it closes the connection (an orderly close or a reset).</summary>
    private static async Task ReadUntilClosedAsync(NetworkStream stream, CancellationToken ct)
    {
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer, ct) > 0)
            {
            }
        }
        catch (IOException)
        {
        }
    }
}
