using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Transport;

/// <summary>wss:// with a certificate made inside the test.</summary>
public sealed class TlsTests
{
    internal static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // SslStream on Linux needs a key it can keep: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }

    [Test]
    public async Task A_secure_websocket_echoes_through_tls()
    {
        var ct = TestTimeouts.Token();
        using var certificate = SelfSigned();
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { Certificate = certificate });
        using var client = new ClientWebSocket();
        client.Options.RemoteCertificateValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == certificate.GetCertHashString();

        await client.ConnectAsync(new Uri($"wss://127.0.0.1:{server.Port}/echo"), ct);
        await client.SendAsync(Encoding.UTF8.GetBytes("secret"), WebSocketMessageType.Text, true, ct);

        Assert.That(await EchoTests.ReceiveTextAsync(client, ct), Is.EqualTo("secret"));
        Assert.That(server.Handler.Opened.Single().IsSecure, Is.True);
    }

    [Test]
    public async Task A_plain_client_on_a_tls_port_is_dropped_without_hanging()
    {
        var ct = TestTimeouts.Token();
        using var certificate = SelfSigned();
        // A handshake timeout far past the test's own: only the failed TLS handshake can end the connection in time.
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { Certificate = certificate, HandshakeTimeout = TimeSpan.FromMinutes(10) });
        await using var plain = await RawWebSocketClient.ConnectTcpAsync(server.Port, ct);

        await plain.WriteAsync(Encoding.ASCII.GetBytes("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"), ct);
        var answer = await plain.ReadToEndAsync(ct);

        Assert.That(answer, Does.Not.Contain("101"), "dropped, never upgraded");
        using var secure = new ClientWebSocket();
        secure.Options.RemoteCertificateValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == certificate.GetCertHashString();
        await secure.ConnectAsync(new Uri($"wss://127.0.0.1:{server.Port}/echo"), ct);
        await secure.SendAsync(Encoding.UTF8.GetBytes("still serving"), WebSocketMessageType.Text, true, ct);
        Assert.That(await EchoTests.ReceiveTextAsync(secure, ct), Is.EqualTo("still serving"));
    }

    [Test]
    public async Task Clients_that_send_garbage_instead_of_a_tls_hello_are_each_dropped_at_once_and_leave_nothing_behind()
    {
        var ct = TestTimeouts.Token();
        using var certificate = SelfSigned();
        // One handshake at a time per address and no rate: a failed handshake that stayed counted
        // would refuse the secure client at the end.
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions
        {
            Certificate = certificate,
            HandshakeTimeout = TimeSpan.FromMinutes(10),
            MaxPendingHandshakesPerAddress = 1,
            HandshakesPerSecondPerAddress = 0,
        });
        var garbage = Encoding.ASCII.GetBytes("this is not a TLS ClientHello, just noise from a scanner\r\n\r\n");

        for (var i = 0; i < 50; i++)
        {
            await using var client = await RawWebSocketClient.ConnectTcpAsync(server.Port, ct);
            await client.WriteAsync(garbage, ct);
            using var prompt = CancellationTokenSource.CreateLinkedTokenSource(ct);
            prompt.CancelAfter(TimeSpan.FromSeconds(5));
            Assert.That(await client.WaitForTcpCloseAsync(prompt.Token), Is.True, $"client {i} dropped long before the handshake timeout");
        }

        // The server closes a failed handshake's socket and then releases its address: the release may
        // come a moment after the last client saw the close.
        var loopback = ClientAddress.Of(System.Net.IPAddress.Loopback);
        using (var released = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            released.CancelAfter(TimeSpan.FromSeconds(5));
            while (server.Server.AddressLimits!.CountsOf(loopback) != (0, 0) && !released.IsCancellationRequested)
            {
                await Task.Delay(5, CancellationToken.None);
            }
        }
        Assert.That(server.Server.AddressLimits!.CountsOf(loopback), Is.EqualTo((0, 0)));
        Assert.That(server.Server.ConnectionCount, Is.Zero);
        using var secure = new ClientWebSocket();
        secure.Options.RemoteCertificateValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == certificate.GetCertHashString();
        await secure.ConnectAsync(new Uri($"wss://127.0.0.1:{server.Port}/echo"), ct);
        await secure.SendAsync(Encoding.UTF8.GetBytes("still serving"), WebSocketMessageType.Text, true, ct);
        Assert.That(await EchoTests.ReceiveTextAsync(secure, ct), Is.EqualTo("still serving"));
    }
}
