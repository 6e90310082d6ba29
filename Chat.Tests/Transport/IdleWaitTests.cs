using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Transport;

/// <summary>
/// Between messages a plain connection waits on its socket rather than in the BCL's parser; frames
/// the parser read ahead in the same packet must still be handled, not left until the client sends again.
/// </summary>
[CancelAfter(60_000)]
public sealed class IdleWaitTests
{
    [TestCase(0x1, TestName = "A_whole_message_read_ahead_with_the_one_before_it_is_echoed_without_waiting_for_more_bytes")]
    [TestCase(0x9, TestName = "A_ping_read_ahead_with_the_message_before_it_is_answered_without_waiting_for_more_bytes")]
    public async Task Frames_that_arrive_in_one_packet_are_all_handled(int secondOpcode)
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);

        // 7 + 6 bytes: the parser reads its headers 14 bytes at a time, so both frames land in its buffer at once.
        byte[] both = [.. RawWebSocketClient.Frame(0x1, "a"u8), .. RawWebSocketClient.Frame(secondOpcode, ReadOnlySpan<byte>.Empty)];
        await client.WriteAsync(both, ct);

        // A pong may overtake queued messages, so the two answers are compared in either order.
        var answers = new[] { await client.ReadFrameAsync(ct), await client.ReadFrameAsync(ct) }
            .Select(f => (f?.Opcode, f?.Text)).OrderBy(a => a.Text).ToArray();
        Assert.That(answers, Is.EqualTo(new (int?, string?)[] { (secondOpcode == 0x9 ? 0xA : 0x1, ""), (0x1, "a") }));

        // And the connection goes on waiting between messages as usual.
        await client.SendTextAsync("again", ct);
        Assert.That((await client.ReadFrameAsync(ct))?.Text, Is.EqualTo("again"));
    }
}
