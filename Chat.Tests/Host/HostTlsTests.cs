using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Tests.Transport;

namespace Fleck.Chat.Tests.Host;

/// <summary>
/// The host run as a process with <c>--cert</c>, the way an operator serves wss://: the certificate
/// file is read by the host itself (PFX with a password, or PEM holding the key), so this is also
/// what proves TLS in a native build of the host.
/// </summary>
[CancelAfter(60_000)]
[Parallelizable(ParallelScope.All)]
public sealed class HostTlsTests
{
    private const string Password = "correct horse";

    [TestCase("pfx")]
    [TestCase("pem")]
    public async Task A_host_given_a_certificate_file_serves_the_chat_over_wss(string format)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(50));
        using var certificate = TlsTests.SelfSigned();
        var file = Path.Combine(Path.GetTempPath(), $"fleck-chat-{Guid.NewGuid():N}.{format}");
        try
        {
            string[] password = [];
            if (format == "pfx")
            {
                await File.WriteAllBytesAsync(file, certificate.Export(X509ContentType.Pfx, Password), ct);
                password = ["--cert-password", Password];
            }
            else
            {
                using var key = certificate.GetRSAPrivateKey()!;
                await File.WriteAllTextAsync(file, certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n", ct);
            }
            await using var host = HostProcess.Start(["--mode", "nick-broadcast", "--host", "127.0.0.1", "--port", "0", "--http-port", "0", "--cert", file, .. password]);
            var banner = await host.WaitForBannerAsync(ct);

            using var alice = new ClientWebSocket();
            string? presented = null;
            alice.Options.RemoteCertificateValidationCallback = (_, cert, _, _) =>
            {
                presented = cert?.GetCertHashString();
                return presented == certificate.GetCertHashString();
            };
            await alice.ConnectAsync(new Uri($"wss://127.0.0.1:{host.WebSocketPort}/websocket/alice"), ct);
            var first = await ReceiveEventAsync(alice, ct);
            await alice.SendAsync(Encoding.UTF8.GetBytes("""{"msg":"over tls"}"""), WebSocketMessageType.Text, true, ct);
            var message = await ReceiveEventAsync(alice, ct);

            Assert.That(banner, Does.Contain($"wss://127.0.0.1:{host.WebSocketPort}/websocket"));
            Assert.That(presented, Is.EqualTo(certificate.GetCertHashString()), "the host presented the certificate from the file");
            Assert.That(first.GetProperty("type").GetString(), Is.EqualTo("users"));
            Assert.That(message.GetProperty("type").GetString(), Is.EqualTo("message"));
            Assert.That(message.GetProperty("msg").GetString(), Is.EqualTo("over tls"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<JsonElement> ReceiveEventAsync(WebSocket socket, CancellationToken ct) =>
        JsonDocument.Parse(await EchoTests.ReceiveTextAsync(socket, ct)).RootElement;
}
