using System.Net.Sockets;
using System.Text;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Conformance;

/// <summary>
/// An RFC 6455 conformance probe run against the real host program, started the way a user starts
/// it (<c>--mode broadcast</c>, default limits but one). Each case is one fresh connection; the cases are the
/// <see cref="ProbeCatalogue"/>, plus the opening-handshake answers below. The probe opens more
/// handshakes from one address than the per-address rate's burst allows, faster than any person
/// would, so that rate is off here: a 429 would say nothing about RFC 6455.
/// </summary>
[Parallelizable(ParallelScope.Self)] // beside other fixtures; its cases run one at a time, since broadcast sends every message to everyone connected
[CancelAfter(60_000)]
public sealed class BroadcastHostConformanceProbe
{
    private HostProcess? _host;

    private int Port => _host!.WebSocketPort;

    public static IEnumerable<TestCaseData> Cases() =>
        ProbeCatalogue.All().Select(c => new TestCaseData(c).SetName($"Probe {c.Id}: {c.Title}"));

    [OneTimeSetUp]
    public async Task StartHostAsync()
    {
        _host = HostProcess.Start("--mode", "broadcast", "--host", "127.0.0.1", "--port", "0", "--http-port", "0", "--handshake-rate-per-address", "0");
        await _host.WaitForBannerAsync(TestTimeouts.Token());
    }

    [OneTimeTearDown]
    public async Task StopHostAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [TestCaseSource(nameof(Cases))]
    public async Task The_host_answers_as_rfc_6455_requires(ProbeCase probe)
    {
        var ct = TestTimeouts.Token();
        await using var client = await RawWebSocketClient.ConnectAsync(Port, "/websocket", ct);

        foreach (var write in probe.Writes)
        {
            // Once the server has failed the connection a later write may meet a reset; the frames it
            // sent before that are still read below.
            if (!await TryWriteAsync(client, write, ct))
            {
                break;
            }
        }
        foreach (var expected in probe.Frames)
        {
            var frame = await client.ReadFrameAsync(ct);
            // RFC 6455 §5.5.3: pongs to earlier pings may be left out, so one that answers an earlier ping is optional.
            while (expected.Opcode == 0xA && frame is { Opcode: 0xA } && !frame.Payload.AsSpan().SequenceEqual(expected.Payload))
            {
                frame = await client.ReadFrameAsync(ct);
            }
            Assert.That(frame, Is.Not.Null, $"expected {expected}, but the connection ended");
            AssertWellFormed(frame!);
            Assert.That(frame!.Opcode, Is.EqualTo(expected.Opcode), "opcode");
            if (expected.Opcode == 0x8)
            {
                Assert.That(ProbeCase.CloseCodeOf(frame.Payload), Is.EqualTo(ProbeCase.CloseCodeOf(expected.Payload)), "close code");
            }
            else
            {
                Assert.That(frame.Payload, Is.EqualTo(expected.Payload), "payload");
            }
        }

        switch (probe.End)
        {
            case ProbeEnd.CleanClose:
                await client.SendAsync(0x8, RawWebSocketClient.ClosePayload(1000), ct);
                var reply = await client.ReadFrameAsync(ct);
                Assert.That(reply?.Opcode, Is.EqualTo(0x8), "the next frame answers the probe's close: nothing unexpected came before it");
                Assert.That(ProbeCase.CloseCodeOf(reply!.Payload), Is.EqualTo(1000));
                break;
            case ProbeEnd.ServerFails:
                var close = await client.ReadFrameAsync(ct);
                Assert.That(close?.Opcode, Is.EqualTo(0x8), "the server fails the connection with a close frame");
                AssertWellFormed(close!);
                Assert.That(ProbeCase.CloseCodeOf(close!.Payload), Is.AnyOf(probe.CloseCodes.Cast<object>().ToArray()), "close code");
                await TryWriteAsync(client, RawWebSocketClient.Frame(0x8, close.Payload.AsSpan(0, 2)), ct);
                break;
        }
        Assert.That(await client.ReadFrameAsync(ct), Is.Null, "nothing follows the close, and the server closes the TCP connection");
    }

    [TestCase("GET /websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "HTTP/1.1 101 ", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", TestName = "Probe 0.1: the RFC's sample key gets the RFC's sample accept")]
    [TestCase("GET /websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n",
        "HTTP/1.1 426 ", "Sec-WebSocket-Version: 13", TestName = "Probe 0.2: another protocol version gets 426 naming version 13")]
    [TestCase("GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "HTTP/1.1 404 ", "", TestName = "Probe 0.3: an unknown path gets 404")]
    [TestCase("POST /websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "HTTP/1.1 405 ", "Allow: GET", TestName = "Probe 0.4: a POST gets 405")]
    [TestCase("GET /websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "HTTP/1.1 400 ", "", TestName = "Probe 0.5: a missing key gets 400")]
    [TestCase("GET /websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "HTTP/1.1 4", "", TestName = "Probe 0.6: a plain HTTP GET gets a short answer, not a hang")]
    [TestCase("NONSENSE\r\n\r\n", "HTTP/1.1 400 ", "", TestName = "Probe 0.7: a malformed request line gets 400")]
    public async Task The_host_answers_the_opening_handshake_as_rfc_6455_requires(string request, string statusLine, string header)
    {
        var ct = TestTimeouts.Token();
        await using var client = await RawWebSocketClient.ConnectTcpAsync(Port, ct);

        await client.WriteAsync(Encoding.ASCII.GetBytes(request), ct);
        var head = await client.ReadHttpHeadAsync(ct);

        Assert.That(head, Does.StartWith(statusLine));
        Assert.That(head, Does.Contain(header));
        if (!statusLine.Contains("101", StringComparison.Ordinal))
        {
            Assert.That(await client.WaitForTcpCloseAsync(ct), Is.True, "a refused request is answered and closed, never held open");
        }
    }

    [Test]
    public async Task Probe_11_1_a_client_that_vanishes_mid_frame_leaves_the_host_serving_others()
    {
        var ct = TestTimeouts.Token();
        await using (var vanishing = await RawWebSocketClient.ConnectAsync(Port, "/websocket", ct))
        {
            var frame = RawWebSocketClient.Frame(0x1, new byte[1000]);
            await vanishing.WriteAsync(frame.AsMemory(0, 500), ct);
            vanishing.Socket.LingerState = new LingerOption(true, 0); // a reset, not a polite FIN
        }

        await using var next = await RawWebSocketClient.ConnectAsync(Port, "/websocket", ct);
        await next.SendTextAsync("still here", ct);
        Assert.That((await next.ReadFrameAsync(ct))?.Text, Is.EqualTo("still here"));
    }

    private static void AssertWellFormed(ReceivedFrame frame)
    {
        Assert.That(frame.Masked, Is.False, "a server never masks (RFC 6455 §5.1)");
        Assert.That(frame.Rsv, Is.Zero, "no extension was negotiated, so no reserved bit is set");
        Assert.That(frame.Fin, Is.True, "this server sends every message as one frame");
    }

    private static async Task<bool> TryWriteAsync(RawWebSocketClient client, byte[] bytes, CancellationToken ct)
    {
        try
        {
            await client.WriteAsync(bytes, ct);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
