using System.Net;
using System.Net.Sockets;
using System.Text;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Transport;

/// <summary>
/// The per-address limits on a running server: one address cannot fill the server, is refused with a
/// short 429 before anything is read, and the count follows its connections as they close. Clients
/// from 127.0.0.2 and 127.0.0.3 are other addresses (Linux routes all of 127.0.0.0/8 to loopback).
/// </summary>
[Parallelizable(ParallelScope.All)]
public sealed class AddressLimitTests
{
    private static readonly IPAddress Home = IPAddress.Loopback;
    private static readonly IPAddress Neighbour = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Stranger = IPAddress.Parse("127.0.0.3");

    private static readonly WebSocketServerOptions NoAddressLimits = new()
    {
        MaxConnectionsPerAddress = 0,
        MaxPendingHandshakesPerAddress = 0,
        HandshakesPerSecondPerAddress = 0,
    };

    [Test]
    [CancelAfter(120_000)]
    public async Task A_thousand_slow_handshakes_from_one_address_leave_room_for_a_client_from_another()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(90));
        // A handshake timeout far past the test: without per-address limits the slow sockets would hold
        // every one of the 200 places for as long as the test runs.
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { MaxConnections = 200, HandshakeTimeout = TimeSpan.FromMinutes(5) });
        var slow = new List<Socket>();
        try
        {
            var start = "GET /echo HTTP/1.1\r\n"u8.ToArray();
            for (var i = 0; i < 1000; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                slow.Add(socket);
                await socket.ConnectAsync(new IPEndPoint(Home, server.Port), ct);
                try
                {
                    await socket.SendAsync(start, SocketFlags.None, ct);
                }
                catch (SocketException)
                {
                    // Already refused and closed by the server.
                }
            }
            // Every slow socket has been dealt with: in the handshake, or refused for its address.
            var limits = server.Server.AddressLimits!;
            await Retry.UntilAsync(_ => Task.FromResult(Refused(server) + limits.CountsOf(ClientAddress.Of(Home)).Pending),
                n => n == 1000, TimeSpan.FromSeconds(30), ct);

            await using var client = await RawWebSocketClient.ConnectAsync(server.Port, "/echo", ct, from: Neighbour);
            await client.SendTextAsync("through", ct);

            Assert.That((await client.ReadFrameAsync(ct))?.Text, Is.EqualTo("through"));
            Assert.That(limits.CountsOf(ClientAddress.Of(Home)).Pending, Is.EqualTo(new WebSocketServerOptions().MaxPendingHandshakesPerAddress));
            Assert.That(server.Server.Counters.Refused(HandshakeRefusalReason.ServerFull), Is.Zero);
        }
        finally
        {
            foreach (var socket in slow)
            {
                socket.Dispose();
            }
        }
    }

    [Test]
    public async Task Past_its_rate_an_address_gets_a_short_429_with_nosniff_and_is_closed_while_another_address_connects()
    {
        var ct = TestTimeouts.Token();
        // One new connection per 100 s after a burst of 3: nothing refills during the test.
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { HandshakesPerSecondPerAddress = 0.01, HandshakeBurstPerAddress = 3 });
        var admitted = new List<RawWebSocketClient>();
        for (var i = 0; i < 3; i++)
        {
            admitted.Add(await server.ConnectRawAsync(ct));
        }

        // The answer comes before the request is sent: the server reads nothing from a refused socket.
        await using var refused = await RawWebSocketClient.ConnectTcpAsync(server.Port, ct);
        var answer = await refused.ReadToEndAsync(ct);
        await using var other = await RawWebSocketClient.ConnectAsync(server.Port, "/echo", ct, from: Neighbour);

        Assert.That(answer, Does.StartWith("HTTP/1.1 429 Too Many Requests\r\n"));
        Assert.That(answer, Does.Contain("\r\nConnection: close\r\n").And.Contain("\r\nX-Content-Type-Options: nosniff\r\n"));
        Assert.That(server.Server.Counters.Refused(HandshakeRefusalReason.AddressRate), Is.EqualTo(1));
        Assert.That(server.Server.Counters.Refused(HandshakeRefusalReason.AddressLimit), Is.Zero);
        Assert.That(server.Server.ConnectionCount, Is.EqualTo(4));
        foreach (var client in admitted)
        {
            await client.DisposeAsync();
        }
    }

    [Test]
    public async Task Past_its_connection_count_an_address_is_refused_until_one_of_its_connections_closes()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync(NoAddressLimits with { MaxConnectionsPerAddress = 2 });
        var first = await server.ConnectRawAsync(ct);
        await using var second = await server.ConnectRawAsync(ct);

        await using var third = await RawWebSocketClient.ConnectTcpAsync(server.Port, ct);
        var refusal = await third.ReadToEndAsync(ct);
        await first.DisposeAsync();
        var limits = server.Server.AddressLimits!;
        await Retry.UntilAsync(_ => Task.FromResult(limits.CountsOf(ClientAddress.Of(Home)).Open), n => n == 1, TimeSpan.FromSeconds(10), ct);
        await using var again = await server.ConnectRawAsync(ct);
        await again.SendTextAsync("back", ct);

        Assert.That(refusal, Does.StartWith("HTTP/1.1 429 "));
        Assert.That(server.Server.Counters.Refused(HandshakeRefusalReason.AddressLimit), Is.EqualTo(1));
        Assert.That((await again.ReadFrameAsync(ct))?.Text, Is.EqualTo("back"));
        Assert.That(limits.CountsOf(ClientAddress.Of(Home)).Open, Is.EqualTo(2));
    }

    [Test]
    public async Task Behind_a_trusted_proxy_the_limits_count_the_forwarded_client_which_the_connection_reports()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync(NoAddressLimits with { MaxConnectionsPerAddress = 1, TrustedProxies = [Home] });

        // Three connections from the proxy itself: the socket address does not count, the forwarded one does.
        await using var alice = await server.ConnectRawAsync(ct, extraHeaders: "X-Forwarded-For: 192.0.2.1, 198.51.100.7\r\n");
        await using var aliceAgain = await RawWebSocketClient.ConnectTcpAsync(server.Port, ct);
        await aliceAgain.WriteAsync(Encoding.ASCII.GetBytes(UpgradeRequest("X-Forwarded-For: 198.51.100.7\r\n")), ct);
        var refusal = await aliceAgain.ReadToEndAsync(ct);
        await using var bob = await server.ConnectRawAsync(ct, extraHeaders: "X-Forwarded-For: 198.51.100.8\r\n");
        // An echo on each shows its handler has opened it.
        foreach (var client in new[] { alice, bob })
        {
            await client.SendTextAsync("marker", ct);
            await client.ReadFrameAsync(ct);
        }

        var remotes = server.Handler.Opened.Select(c => c.RemoteEndPoint!.Address.ToString()).ToArray();
        Assert.That(remotes, Is.EquivalentTo(new[] { "198.51.100.7", "198.51.100.8" }), "the right-most untrusted entry, never the one the client wrote further left");
        Assert.That(refusal, Does.StartWith("HTTP/1.1 429 "));
        Assert.That(server.Server.Counters.Refused(HandshakeRefusalReason.AddressLimit), Is.EqualTo(1));
        Assert.That(server.Server.AddressLimits!.CountsOf(ClientAddress.Of(Home)).Open, Is.Zero, "the proxy's own address is not limited");
    }

    [Test]
    public async Task From_an_untrusted_address_x_forwarded_for_is_ignored()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync(NoAddressLimits with { MaxConnectionsPerAddress = 1, TrustedProxies = [Home] });

        await using var first = await RawWebSocketClient.ConnectAsync(server.Port, "/echo", ct, "X-Forwarded-For: 198.51.100.7\r\n", from: Stranger);
        await using var second = await RawWebSocketClient.ConnectTcpAsync(server.Port, ct, from: Stranger);
        var refusal = await second.ReadToEndAsync(ct);
        await first.SendTextAsync("marker", ct);
        await first.ReadFrameAsync(ct);

        Assert.That(refusal, Does.StartWith("HTTP/1.1 429 "), "a different X-Forwarded-For does not make it another client");
        Assert.That(server.Handler.Opened.Single().RemoteEndPoint!.Address, Is.EqualTo(Stranger));
    }

    [Test]
    public async Task An_address_leaves_the_table_once_its_connections_have_closed_and_its_rate_has_recovered()
    {
        var ct = TestTimeouts.Token();
        // A burst that refills in a fraction of a second, so the entry can go soon after the last close.
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { HandshakesPerSecondPerAddress = 100, HandshakeBurstPerAddress = 10 });
        var clients = new List<RawWebSocketClient>();
        foreach (var from in new[] { Home, Neighbour, Stranger })
        {
            clients.Add(await RawWebSocketClient.ConnectAsync(server.Port, "/echo", ct, from: from));
        }
        var limits = server.Server.AddressLimits!;
        var whileOpen = limits.Tracked;

        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        await Retry.UntilAsync(_ => Task.FromResult(limits.Tracked), n => n == 0, TimeSpan.FromSeconds(10), ct);
        Assert.That(whileOpen, Is.EqualTo(3));
    }

    private static long Refused(EchoServer server) =>
        server.Server.Counters.Refused(HandshakeRefusalReason.AddressLimit) + server.Server.Counters.Refused(HandshakeRefusalReason.AddressRate);

    private static string UpgradeRequest(string extraHeaders) =>
        "GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
}
