using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Transport;

/// <summary>RFC 6455 §5.6, §7, §8.1: UTF-8 of text, the closing handshake and its codes, size limits.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class Utf8AndCloseConformanceTests
{
    [Test]
    public async Task Invalid_utf8_in_a_text_message_fails_with_1007()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendAsync(0x1, [0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5, 0xED, 0xA0, 0x80, 0x65, 0x64, 0x69, 0x74, 0x65, 0x64], ct);

        Assert.That(await client.ReadCloseAsync(ct), Is.EqualTo(1007));
    }

    [Test]
    public async Task Invalid_utf8_split_across_fragments_fails_with_1007()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendAsync(0x1, [0x61, 0xE2], ct, fin: false);
        await client.SendAsync(0x0, [0x28, 0xA1], ct);

        Assert.That(await client.ReadCloseAsync(ct), Is.EqualTo(1007));
    }

    [Test]
    public async Task A_character_cut_off_by_an_empty_final_fragment_fails_with_1007()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendAsync(0x1, [0xCE], ct, fin: false);
        await client.SendAsync(0x0, [], ct);

        Assert.That(await client.ReadCloseAsync(ct), Is.EqualTo(1007));
    }

    [Test]
    public async Task Valid_multibyte_utf8_split_inside_a_character_is_accepted()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);
        var bytes = "κόσμε 小明 😀"u8.ToArray();

        await client.SendAsync(0x1, bytes.AsSpan(0, 2), ct, fin: false);
        await client.SendAsync(0x0, bytes.AsSpan(2, 13), ct, fin: false);
        await client.SendAsync(0x0, bytes.AsSpan(15), ct);

        Assert.That((await client.ReadFrameAsync(ct))!.Text, Is.EqualTo("κόσμε 小明 😀"));
    }

    [TestCase(1000)]
    [TestCase(1001)]
    [TestCase(1003)]
    [TestCase(1007)]
    [TestCase(1011)]
    [TestCase(3000)]
    [TestCase(4999)]
    public async Task A_valid_close_code_is_echoed_and_the_server_closes_tcp(int code)
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendAsync(0x8, RawWebSocketClient.ClosePayload(code, "bye"), ct);

        Assert.That(await client.ReadCloseAsync(ct), Is.EqualTo(code));
        Assert.That(await client.WaitForTcpCloseAsync(ct), Is.True);
        var closed = await server.Handler.FirstClosed.Task.WaitAsync(ct);
        Assert.That(closed.PeerCloseCode, Is.EqualTo(code));
    }

    [Test]
    public async Task An_empty_close_is_answered_and_tcp_is_closed()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendAsync(0x8, [], ct);

        var frame = await client.ReadFrameAsync(ct);
        Assert.That(frame!.Opcode, Is.EqualTo(0x8));
        Assert.That(frame.Payload, Is.Empty, "a close without a code is answered without one (RFC 6455 §5.5.1)");
        Assert.That(await client.WaitForTcpCloseAsync(ct), Is.True);
        Assert.That((await server.Handler.FirstClosed.Task.WaitAsync(ct)).PeerCloseCode, Is.Null, "no status code was received (§7.1.5)");
    }

    [TestCase(0)]
    [TestCase(999)]
    [TestCase(1004)]
    [TestCase(1005)]
    [TestCase(1006)]
    [TestCase(1015)]
    [TestCase(1016)]
    [TestCase(1100)]
    [TestCase(2000)]
    [TestCase(2999)]
    [TestCase(5000)]
    [TestCase(65535)]
    public async Task An_invalid_close_code_fails_with_1002(int code)
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendAsync(0x8, RawWebSocketClient.ClosePayload(code), ct);

        Assert.That(await client.ReadCloseAsync(ct), Is.EqualTo(1002));
    }

    [Test]
    public async Task A_one_byte_close_payload_fails_with_1002()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendAsync(0x8, [0x03], ct);

        Assert.That(await client.ReadCloseAsync(ct), Is.EqualTo(1002));
    }

    [Test]
    public async Task A_close_reason_that_is_not_utf8_fails_the_connection()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendAsync(0x8, [0x03, 0xE8, 0xFF, 0xFE], ct);

        Assert.That(await client.ReadCloseAsync(ct), Is.EqualTo(1002).Or.EqualTo(1007));
    }

    [Test]
    public async Task Nothing_follows_a_close_frame()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendAsync(0x1, "x"u8, ct, rsv: 2);
        await client.SendTextAsync("after the error", ct);

        Assert.That(await client.ReadCloseAsync(ct), Is.EqualTo(1002));
        Assert.That(await client.ReadFrameAsync(ct), Is.Null, "no frame after the close");
    }

    [Test]
    public async Task A_message_over_the_limit_fails_with_1009()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { MaxMessageBytes = 1000 });
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendAsync(0x1, new byte[1001], ct);

        Assert.That(await client.ReadCloseAsync(ct), Is.EqualTo(1009));
    }

    [Test]
    public async Task A_declared_length_over_the_limit_fails_with_1009_before_the_payload_arrives()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { MaxMessageBytes = 1000 });
        await using var client = await server.ConnectRawAsync(ct);

        // A header announcing 1 GiB, and no payload: the server must not wait for (or buffer) it.
        byte[] header = [0x81, 0x80 | 127, 0, 0, 0, 0, 0x40, 0, 0, 0, 1, 2, 3, 4];
        await client.WriteAsync(header, ct);

        Assert.That(await client.ReadCloseAsync(ct), Is.EqualTo(1009));
    }

    [Test]
    public async Task A_fragmented_message_over_the_limit_fails_with_1009()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { MaxMessageBytes = 1000 });
        await using var client = await server.ConnectRawAsync(ct);

        for (var i = 0; i < 3; i++)
        {
            await client.SendAsync(i == 0 ? 0x1 : 0x0, new byte[400], ct, fin: false);
        }

        Assert.That(await client.ReadCloseAsync(ct), Is.EqualTo(1009));
    }

    [Test]
    public async Task A_message_exactly_at_the_limit_is_accepted()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { MaxMessageBytes = 1000 });
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendAsync(0x2, new byte[1000], ct);

        Assert.That((await client.ReadFrameAsync(ct))!.Payload, Has.Length.EqualTo(1000));
    }

    [Test]
    public async Task Server_initiated_close_waits_for_the_peer_then_closes_tcp()
    {
        var ct = TestTimeouts.Token();
        // A close timeout far past the test's own: only the peer's answer can end the connection in time.
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { CloseTimeout = TimeSpan.FromMinutes(10) });
        await using var client = await server.ConnectRawAsync(ct);
        // The 101 reaches the client before the server has handed the connection to its handler.
        var connection = await server.Handler.FirstOpened.Task.WaitAsync(ct);

        var closing = connection.CloseAsync(4000, "done");
        Assert.That(await client.ReadCloseAsync(ct), Is.EqualTo(4000));
        await closing.WaitAsync(ct);
        await client.SendAsync(0x8, RawWebSocketClient.ClosePayload(4001), ct);

        Assert.That(await client.WaitForTcpCloseAsync(ct), Is.True);
        var closed = await server.Handler.FirstClosed.Task.WaitAsync(ct);
        Assert.That(closed.PeerCloseCode, Is.EqualTo(4001), "the server read the peer's answer before it closed TCP");
    }
}
