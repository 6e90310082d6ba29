using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Transport;

/// <summary>The scanner's budget for pings and pongs, driven with its clock in hand.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class ControlFrameBudgetTests
{
    private static readonly byte[] Ping = RawWebSocketClient.Frame(0x9, "p"u8);
    private static readonly byte[] Pong = RawWebSocketClient.Frame(0xA, "p"u8);

    [Test]
    public void Pings_and_pongs_past_the_budget_within_one_second_are_a_flood()
    {
        var scanner = new IncomingFrameScanner(1024, maxControlFramesPerSecond: 3);
        byte[] three = [.. Ping, .. Pong, .. Ping];

        Assert.That(scanner.Scan(three, nowMs: 10_000), Is.EqualTo(three.Length));
        Assert.That(scanner.Scan(Text("data does not count"), nowMs: 10_500), Is.GreaterThan(0));
        Assert.That(scanner.Scan(Ping, nowMs: 10_999), Is.Zero, "the fourth in the same second is refused before it reaches the parser");
        Assert.That(scanner.Violation, Is.EqualTo(FrameViolation.ControlFlood));
    }

    [Test]
    public void The_budget_starts_again_each_second()
    {
        var scanner = new IncomingFrameScanner(1024, maxControlFramesPerSecond: 2);

        for (var second = 0; second < 5; second++)
        {
            byte[] two = [.. Ping, .. Ping];
            Assert.That(scanner.Scan(two, nowMs: 20_000 + (second * 1000)), Is.EqualTo(two.Length));
        }
        Assert.That(scanner.Violation, Is.EqualTo(FrameViolation.None));
    }

    [Test]
    public void Frames_before_the_one_past_the_budget_still_reach_the_parser()
    {
        var scanner = new IncomingFrameScanner(1024, maxControlFramesPerSecond: 1);
        var text = Text("kept");
        byte[] bytes = [.. Ping, .. text, .. Ping, .. Text("dropped")];

        Assert.That(scanner.Scan(bytes, nowMs: 5_000), Is.EqualTo(Ping.Length + text.Length));
    }

    [Test]
    public void A_budget_of_zero_never_counts()
    {
        var scanner = new IncomingFrameScanner(1024, maxControlFramesPerSecond: 0);
        var many = Enumerable.Repeat(Ping, 10_000).SelectMany(f => f).ToArray();

        Assert.That(scanner.Scan(many, nowMs: 0), Is.EqualTo(many.Length));
    }

    [Test]
    public void Whole_data_messages_are_counted_where_their_last_frame_ends_and_control_frames_are_not()
    {
        var scanner = new IncomingFrameScanner(1024);
        Assert.That((scanner.MessagesEnded, scanner.AtMessageEnd), Is.EqualTo((0L, true)), "nothing scanned yet");

        var whole = Text("one");
        scanner.Scan(whole.AsSpan(0, 4), nowMs: 0);
        Assert.That((scanner.MessagesEnded, scanner.AtMessageEnd), Is.EqualTo((0L, false)), "inside its header");
        scanner.Scan(whole.AsSpan(4), nowMs: 0);
        Assert.That((scanner.MessagesEnded, scanner.AtMessageEnd), Is.EqualTo((1L, true)));

        scanner.Scan(Ping, nowMs: 0);
        Assert.That((scanner.MessagesEnded, scanner.AtMessageEnd), Is.EqualTo((1L, false)), "a ping ends no message");

        byte[] fragmented = [.. RawWebSocketClient.Frame(0x1, "fir"u8, fin: false), .. RawWebSocketClient.Frame(0x0, "st"u8, fin: false)];
        scanner.Scan(fragmented, nowMs: 0);
        Assert.That((scanner.MessagesEnded, scanner.AtMessageEnd), Is.EqualTo((1L, false)), "a fragment without FIN ends no message");
        byte[] last = [.. RawWebSocketClient.Frame(0x0, ""u8), .. RawWebSocketClient.Frame(0x2, ""u8)];
        scanner.Scan(last, nowMs: 0);
        Assert.That((scanner.MessagesEnded, scanner.AtMessageEnd), Is.EqualTo((3L, true)), "the last fragment and an empty binary message");
    }

    private static byte[] Text(string text) => RawWebSocketClient.Frame(0x1, System.Text.Encoding.UTF8.GetBytes(text));
}
