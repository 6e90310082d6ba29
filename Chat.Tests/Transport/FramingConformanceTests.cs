using System.Text;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Transport;

/// <summary>RFC 6455 §5: framing, reserved bits and opcodes, masking, control frames.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class FramingConformanceTests
{
    [TestCase(0, 7)]
    [TestCase(125, 7)]
    [TestCase(126, 16)]
    [TestCase(65535, 16)]
    [TestCase(65536, 64)]
    public async Task Server_frames_use_the_shortest_length_form_and_are_unmasked(int size, int form)
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { MaxMessageBytes = 1 << 20 });
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendAsync(0x2, new byte[size], ct);
        var frame = await client.ReadFrameAsync(ct);

        Assert.That(frame, Is.Not.Null);
        Assert.That(frame!.Opcode, Is.EqualTo(0x2));
        Assert.That(frame.Fin, Is.True);
        Assert.That(frame.Masked, Is.False, "servers never mask (RFC 6455 §5.1)");
        Assert.That(frame.Payload, Has.Length.EqualTo(size));
        Assert.That(frame.HeaderLength, Is.EqualTo(form switch { 7 => 2, 16 => 4, _ => 10 }));
    }

    [Test]
    public async Task A_64_bit_length_for_a_small_payload_is_still_accepted()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);

        await client.WriteAsync(RawWebSocketClient.Frame(0x1, "long form"u8, lengthForm: 64), ct);

        Assert.That((await client.ReadFrameAsync(ct))!.Text, Is.EqualTo("long form"));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(4)]
    [TestCase(7)]
    public async Task Reserved_bits_without_an_extension_fail_with_1002(int rsv)
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { EnableCompression = false });
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendAsync(0x1, "x"u8, ct, rsv: rsv);

        Assert.That(await client.ReadCloseAsync(ct), Is.EqualTo(1002));
        Assert.That(await client.WaitForTcpCloseAsync(ct), Is.True);
    }

    [TestCase(3)]
    [TestCase(4)]
    [TestCase(5)]
    [TestCase(6)]
    [TestCase(7)]
    [TestCase(0xB)]
    [TestCase(0xC)]
    [TestCase(0xF)]
    public async Task Reserved_opcodes_fail_with_1002(int opcode)
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendAsync(opcode, "x"u8, ct);

        Assert.That(await client.ReadCloseAsync(ct), Is.EqualTo(1002));
    }

    [Test]
    public async Task An_unmasked_client_frame_fails_with_1002()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendAsync(0x1, "naked"u8, ct, mask: false);

        Assert.That(await client.ReadCloseAsync(ct), Is.EqualTo(1002));
    }

    [TestCase("")]
    [TestCase("hi")]
    public async Task A_short_unmasked_frame_fails_with_1002_without_waiting_for_more_bytes(string text)
    {
        // Without a mask the frame is complete after its payload; a server that still expects four mask
        // bytes would wait here forever.
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendAsync(0x1, Encoding.UTF8.GetBytes(text), ct, mask: false);

        Assert.That(await client.ReadCloseAsync(ct), Is.EqualTo(1002));
        Assert.That(await client.WaitForTcpCloseAsync(ct), Is.True);
    }

    [Test]
    public async Task A_64_bit_length_with_its_top_bit_set_fails_with_1002()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);

        byte[] header = [0x81, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4];
        await client.WriteAsync(header, ct);

        Assert.That(await client.ReadCloseAsync(ct), Is.EqualTo(1002));
    }

    [Test]
    public async Task A_compressed_bit_on_a_control_frame_fails_with_1002_even_with_deflate_negotiated()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct, extraHeaders: "Sec-WebSocket-Extensions: permessage-deflate\r\n");

        await client.SendAsync(0x9, "ping"u8, ct, rsv: 4);

        Assert.That(await client.ReadCloseAsync(ct), Is.EqualTo(1002));
    }

    [TestCase(0)]
    [TestCase(125)]
    public async Task Ping_is_answered_with_a_pong_carrying_the_same_payload(int size)
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);
        var payload = Enumerable.Range(0, size).Select(i => (byte)i).ToArray();

        await client.SendAsync(0x9, payload, ct);
        var pong = await client.ReadFrameAsync(ct);

        Assert.That(pong!.Opcode, Is.EqualTo(0xA));
        Assert.That(pong.Payload, Is.EqualTo(payload));
    }

    [Test]
    public async Task A_ping_over_125_bytes_fails_with_1002()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendAsync(0x9, new byte[126], ct);

        Assert.That(await client.ReadCloseAsync(ct), Is.EqualTo(1002));
    }

    [Test]
    public async Task A_fragmented_ping_fails_with_1002()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendAsync(0x9, "a"u8, ct, fin: false);

        Assert.That(await client.ReadCloseAsync(ct), Is.EqualTo(1002));
    }

    [Test]
    public async Task An_unsolicited_pong_is_ignored()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendAsync(0xA, "unasked"u8, ct);
        await client.SendTextAsync("after pong", ct);

        var frame = await client.ReadFrameAsync(ct);
        Assert.That(frame!.Opcode, Is.EqualTo(0x1));
        Assert.That(frame.Text, Is.EqualTo("after pong"));
    }

    [Test]
    public async Task Fragmented_text_is_reassembled_with_control_frames_in_between()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendAsync(0x1, "frag"u8, ct, fin: false);
        await client.SendAsync(0x9, "mid"u8, ct);
        await client.SendAsync(0x0, "men"u8, ct, fin: false);
        await client.SendAsync(0x0, "ted"u8, ct);

        var pong = await client.ReadFrameAsync(ct);
        var echo = await client.ReadFrameAsync(ct);
        Assert.That(pong!.Opcode, Is.EqualTo(0xA));
        Assert.That(echo!.Text, Is.EqualTo("fragmented"));
    }

    [Test]
    public async Task A_continuation_without_a_start_fails_with_1002()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendAsync(0x0, "orphan"u8, ct);

        Assert.That(await client.ReadCloseAsync(ct), Is.EqualTo(1002));
    }

    [Test]
    public async Task A_new_data_frame_inside_a_fragmented_message_fails_with_1002()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendAsync(0x1, "start"u8, ct, fin: false);
        await client.SendAsync(0x1, "again"u8, ct);

        Assert.That(await client.ReadCloseAsync(ct), Is.EqualTo(1002));
    }

    [Test]
    public async Task Many_small_frames_in_one_packet_are_each_answered_in_order()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);
        var batch = Enumerable.Range(0, 100).SelectMany(i => RawWebSocketClient.Frame(0x1, Encoding.UTF8.GetBytes($"m{i}"))).ToArray();

        await client.WriteAsync(batch, ct);

        for (var i = 0; i < 100; i++)
        {
            Assert.That((await client.ReadFrameAsync(ct))!.Text, Is.EqualTo($"m{i}"));
        }
    }
}
