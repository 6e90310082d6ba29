using System.Net;
using System.Net.Sockets;
using System.Text;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Transport;

/// <summary>
/// The host run as a user would, under <c>ulimit -n 1024</c>, with more connections held open than it
/// has descriptors for: it must neither die nor flood its log, and it must serve again once they go.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class DescriptorExhaustionTests
{
    private const int Descriptors = 1024;
    private const int Held = 1100;
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(25);

    [Test]
    [CancelAfter(180_000)]
    public async Task Out_of_descriptors_the_host_stays_up_logs_a_bounded_number_of_lines_and_serves_again_once_they_free()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(150));
        // Every connection comes from 127.0.0.1; with the per-address limits off they reach the descriptor limit
        // (or the connection cap, where the host fits that to the descriptors it has).
        await using var host = HostProcess.StartWithOpenFileLimit(Descriptors,
            [.. HostProcess.OnLoopback("broadcast"), "--max-connections-per-address", "0", "--max-handshakes-per-address", "0",
                "--handshake-rate-per-address", "0"]);
        await host.WaitForBannerAsync(ct);
        var linesAtStart = LineCount(host);
        var held = new List<Socket>();
        try
        {
            // Upgrade requests sent and never read back: the ones accepted become idle connections, the rest
            // wait in the listen backlog for a descriptor.
            for (var i = 0; i < Held; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                held.Add(socket);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, host.WebSocketPort), ct);
                try
                {
                    await socket.SendAsync(UpgradeRequest(host.WebSocketPort), SocketFlags.None, ct);
                }
                catch (SocketException)
                {
                    // Refused and closed by the host (a connection cap): it still counts as held for this test.
                }
            }

            // The hold: the host exiting ends it early, and fails the test below.
            using (var hold = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                hold.CancelAfter(Hold);
                try
                {
                    await host.Process.WaitForExitAsync(hold.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                }
            }

            TestContext.Out.WriteLine("written while out of descriptors:\n" + host.Stdout + host.Stderr);
            Assert.That(host.Process.HasExited, Is.False, "the host died: " + host.Stderr);
            Assert.That(LineCount(host) - linesAtStart, Is.LessThan(50), "log lines written while out of descriptors:\n" + host.Stdout + host.Stderr);
        }
        finally
        {
            foreach (var socket in held)
            {
                socket.Dispose();
            }
        }

        // Once the held connections are gone the descriptors come back, and a new client chats.
        var echoed = await Retry.UntilAsync(_ => ChatsAsync(host.WebSocketPort, ct), ok => ok, TimeSpan.FromSeconds(60), ct);
        Assert.That(echoed, Is.True);
        Assert.That(host.Stderr, Does.Not.Contain("Internal CLR error"));
    }

    /// <summary>One client connects, says something and hears it back within a few seconds.</summary>
    private static async Task<bool> ChatsAsync(int port, CancellationToken ct)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await using var client = await TypedClient.ConnectAsync(port, "/websocket", attempt.Token);
            await client.SendTextAsync("back again", attempt.Token);
            return await client.ReceiveTextAsync(attempt.Token) == "back again";
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.Net.WebSockets.WebSocketException or IOException or SocketException
            && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private static int LineCount(HostProcess host) => host.Stdout.Count(c => c == '\n') + host.Stderr.Count(c => c == '\n');

    private static byte[] UpgradeRequest(int port) => Encoding.ASCII.GetBytes(
        $"GET /websocket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
}
