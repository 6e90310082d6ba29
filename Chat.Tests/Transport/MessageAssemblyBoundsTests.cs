using System.Diagnostics;
using System.Text;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Transport;

/// <summary>One incoming message is bounded in its fragments and in the time it takes to arrive; past either the client gets 1008.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class MessageAssemblyBoundsTests
{
    private const int Text = 0x1;
    private const int Continuation = 0x0;

    [Test]
    public async Task A_message_in_as_many_fragments_as_allowed_is_delivered_and_one_more_is_closed_with_1008()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { MaxFragmentsPerMessage = 4 });
        await using var client = await server.ConnectRawAsync(ct);

        await SendInFragmentsAsync(client, ["a", "b", "c", "d"], ct);
        var whole = await client.ReadFrameAsync(ct);
        await SendInFragmentsAsync(client, ["a", "b", "c", "d", "e"], ct);
        var close = await client.ReadCloseAsync(ct);

        Assert.That(whole?.Text, Is.EqualTo("abcd"));
        Assert.That(close, Is.EqualTo(WebSocketCloseCode.PolicyViolation));
    }

    [Test]
    public async Task A_message_whose_fragments_stop_arriving_is_closed_with_1008_after_the_assembly_timeout()
    {
        var ct = TestTimeouts.Token();
        var timeout = TimeSpan.FromMilliseconds(600);
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { MessageAssemblyTimeout = timeout });
        await using var stalled = await server.ConnectRawAsync(ct);
        await using var quiet = await server.ConnectRawAsync(ct);

        var waited = Stopwatch.StartNew();
        await stalled.SendAsync(Text, "first half, "u8, ct, fin: false);
        var close = await stalled.ReadCloseAsync(ct);
        var elapsed = waited.Elapsed;
        // Silence between messages is not a message arriving: the quiet client, idle all this time, still echoes.
        await quiet.SendTextAsync("marker", ct);

        Assert.That(close, Is.EqualTo(WebSocketCloseCode.PolicyViolation));
        Assert.That(elapsed, Is.GreaterThanOrEqualTo(timeout - TimeSpan.FromMilliseconds(20)), "not before the timeout");
        Assert.That((await quiet.ReadFrameAsync(ct))?.Text, Is.EqualTo("marker"));
    }

    [Test]
    public async Task A_message_completed_within_the_timeout_is_delivered_and_the_clock_starts_again_for_the_next()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { MessageAssemblyTimeout = TimeSpan.FromMilliseconds(1500) });
        await using var client = await server.ConnectRawAsync(ct);

        // Several messages in a row, each well within the timeout, taking longer than it all together.
        for (var i = 0; i < 4; i++)
        {
            await client.SendAsync(Text, Encoding.UTF8.GetBytes($"part {i}, "), ct, fin: false);
            await client.SendAsync(Continuation, "end"u8, ct);
            Assert.That((await client.ReadFrameAsync(ct))?.Text, Is.EqualTo($"part {i}, end"));
            await Task.Delay(500, ct);
        }
        await client.SendTextAsync("marker", ct);

        var next = await client.ReadFrameAsync(ct);
        Assert.That(next?.Opcode, Is.EqualTo(Text), "no close came before the marker");
        Assert.That(next?.Text, Is.EqualTo("marker"));
    }

    [Test]
    public void The_scanner_times_a_message_from_its_first_byte_to_the_end_of_its_last_frame_and_counts_its_fragments()
    {
        var scanner = new IncomingFrameScanner(1024, maxControlFramesPerSecond: 0, maxFragmentsPerMessage: 3);
        var first = RawWebSocketClient.Frame(Text, "ab"u8, fin: false);
        var ping = RawWebSocketClient.Frame(0x9, "p"u8);
        var middle = RawWebSocketClient.Frame(Continuation, "cd"u8, fin: false);
        var last = RawWebSocketClient.Frame(Continuation, "ef"u8);

        var idle = scanner.MessageStartedMs;
        scanner.Scan(first.AsSpan(0, 1), nowMs: 100);
        var afterFirstByte = scanner.MessageStartedMs;
        scanner.Scan(first.AsSpan(1), nowMs: 200);
        scanner.Scan(ping, nowMs: 300);
        scanner.Scan(middle, nowMs: 400);
        var beforeLast = scanner.MessageStartedMs;
        scanner.Scan(last, nowMs: 500);
        var afterLast = scanner.MessageStartedMs;
        scanner.Scan(ping, nowMs: 600);
        var pingAlone = scanner.MessageStartedMs;
        foreach (var frame in new[] { first, middle, middle, middle })
        {
            scanner.Scan(frame, nowMs: 700);
        }
        var violation = scanner.Violation;

        Assert.That(idle, Is.Zero);
        Assert.That(afterFirstByte, Is.EqualTo(100));
        Assert.That(beforeLast, Is.EqualTo(100), "a ping between fragments does not restart the clock");
        Assert.That(afterLast, Is.Zero);
        Assert.That(pingAlone, Is.Zero, "control frames between messages are not a message");
        Assert.That(violation, Is.EqualTo(FrameViolation.TooManyFragments));
    }

    private static async Task SendInFragmentsAsync(RawWebSocketClient client, string[] parts, CancellationToken ct)
    {
        for (var i = 0; i < parts.Length; i++)
        {
            await client.SendAsync(i == 0 ? Text : Continuation, Encoding.UTF8.GetBytes(parts[i]), ct, fin: i == parts.Length - 1);
        }
    }
}
