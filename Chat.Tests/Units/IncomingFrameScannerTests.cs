using CsCheck;
using Fleck.Chat.Transport;
using static Fleck.Chat.Tests.Units.ClientFrames;

namespace Fleck.Chat.Tests.Units;

/// <summary>
/// The frame scanner on byte streams cut into reads every possible way: what it lets through to the
/// BCL, what it refuses, and that neither depends on where the reads happen to split the stream.
/// </summary>
public sealed class IncomingFrameScannerTests
{
    private const int Limit = 1000;

    /// <summary>One read: where it starts in the stream, how long it is, and how many of its bytes the scanner let through.</summary>
    private readonly record struct Read(int Start, int Length, int Allowed);

    private sealed record Outcome(Read[] Reads, FrameViolation Violation, int? FirstCloseLength)
    {
        public int TotalAllowed => Reads.Sum(r => r.Allowed);
    }

    /// <summary>Feeds <paramref name="stream"/> to a new scanner in reads that end at <paramref name="cuts"/>.</summary>
    private static Outcome Feed(byte[] stream, IEnumerable<int> cuts, int limit = Limit)
    {
        var scanner = new IncomingFrameScanner(limit);
        int[] bounds = [0, .. cuts.Where(c => c > 0 && c < stream.Length).Distinct().Order(), stream.Length];
        var reads = new Read[bounds.Length - 1];
        for (var i = 0; i < reads.Length; i++)
        {
            var length = bounds[i + 1] - bounds[i];
            reads[i] = new Read(bounds[i], length, scanner.Scan(stream.AsSpan(bounds[i], length)));
        }
        return new Outcome(reads, scanner.Violation, scanner.FirstCloseLength);
    }

    /// <summary>Every way to cut the stream into two reads, and one byte per read.</summary>
    private static IEnumerable<int[]> EverySplit(byte[] stream) =>
        Enumerable.Range(0, stream.Length + 1).Select(cut => new[] { cut }).Append([.. Enumerable.Range(1, stream.Length)]);

    private static void AssertAllowedWhole(Outcome outcome, int? firstCloseLength)
    {
        Assert.That(outcome.Violation, Is.EqualTo(FrameViolation.None));
        Assert.That(outcome.Reads.Select(r => r.Allowed), Is.EqualTo(outcome.Reads.Select(r => r.Length)), "every read is handed on whole");
        Assert.That(outcome.FirstCloseLength, Is.EqualTo(firstCloseLength));
    }

    /// <summary>
    /// The offending frame starts at <paramref name="start"/>, and the scanner can tell at the byte at
    /// <paramref name="decidedAt"/>. Everything before the frame is handed on; the read that holds
    /// the deciding byte is cut at the frame's start, or not handed on at all if the frame began in an
    /// earlier read (those header bytes are already gone; the BCL never gets the rest); later reads get nothing.
    /// </summary>
    private static void AssertStopsAt(Outcome outcome, FrameViolation expected, int start, int decidedAt)
    {
        var deciding = Array.FindIndex(outcome.Reads, r => decidedAt < r.Start + r.Length);
        var read = outcome.Reads[deciding];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome.Violation, Is.EqualTo(expected));
            Assert.That(outcome.Reads[..deciding].Select(r => r.Allowed), Is.EqualTo(outcome.Reads[..deciding].Select(r => r.Length)), "reads before the deciding one");
            Assert.That(read.Allowed, Is.EqualTo(Math.Max(0, start - read.Start)), "the deciding read");
            Assert.That(outcome.Reads[(deciding + 1)..].Select(r => r.Allowed), Is.All.Zero, "reads after the violation");
            Assert.That(outcome.TotalAllowed, Is.GreaterThanOrEqualTo(start).And.LessThanOrEqualTo(decidedAt));
        }
    }

    /// <summary>Where the scanner can tell that <paramref name="frame"/> is wrong: at the mask bit, or once the header is complete.</summary>
    private static int DecidingByte(byte[] frame, FrameViolation violation) =>
        violation == FrameViolation.Unmasked ? 1 : HeaderLength(frame) - 1;

    [Test]
    public void Valid_frames_are_handed_on_whole_wherever_the_reads_split_them()
    {
        byte[] stream =
        [
            .. Frame(Text, 0), .. Frame(Text, 126), .. Frame(Binary, 5, lengthForm: 64), .. Frame(Pong, 0),
            // Exactly the limit, over two fragments with a ping between them, which does not count.
            .. Frame(Text, 400, fin: false), .. Frame(Ping, 125), .. Frame(Continuation, 600),
            // Compressed: only the inflated size counts, and the receive loop checks that.
            .. Frame(Binary, 2 * Limit, rsv: Rsv1),
            // RSV2 and RSV3 on a control frame are the BCL's to refuse, not the scanner's.
            .. Frame(Ping, 1, rsv: 0b011),
            .. Frame(Close, 2), .. Frame(Close, 7),
        ];

        foreach (var cuts in EverySplit(stream))
        {
            AssertAllowedWhole(Feed(stream, cuts), firstCloseLength: 2);
        }
    }

    [TestCase(Text, false)]
    [TestCase(Continuation, false)]
    [TestCase(Close, false)]
    [TestCase(Ping, true)]
    public void An_unmasked_frame_is_refused_at_its_second_byte(int opcode, bool empty)
    {
        AssertRefusedWherever(Frame(opcode, empty ? 0 : 4, masked: false), FrameViolation.Unmasked);
    }

    [Test]
    public void A_64_bit_length_with_its_top_bit_set_is_refused()
    {
        AssertRefusedWherever(HeaderDeclaring(Text, (1UL << 63) | 5), FrameViolation.BadLength);
    }

    [TestCase(Ping)]
    [TestCase(Pong)]
    [TestCase(Close)]
    public void A_control_frame_with_rsv1_is_refused(int opcode)
    {
        AssertRefusedWherever(Frame(opcode, 2, rsv: Rsv1), FrameViolation.CompressedControlFrame);
    }

    [Test]
    public void A_frame_one_byte_over_the_limit_is_refused_at_its_header()
    {
        AssertRefusedWherever(Frame(Binary, Limit + 1), FrameViolation.TooBig);
    }

    [Test]
    public void A_declared_length_far_over_the_limit_is_refused_before_any_payload_arrives()
    {
        AssertRefusedWherever(HeaderDeclaring(Text, 1UL << 40), FrameViolation.TooBig);
    }

    [Test]
    public void The_fragment_that_takes_a_message_over_the_limit_is_refused()
    {
        AssertRefusedWherever(Frame(Continuation, 401), FrameViolation.TooBig, before: [.. Frame(Text, 600, fin: false), .. Frame(Ping, 3)]);
    }

    [Test]
    public void Only_the_first_close_frame_length_is_kept_and_none_before_a_close()
    {
        Assert.That(Feed([.. Frame(Text, 3), .. Frame(Ping, 0)], []).FirstCloseLength, Is.Null);
        Assert.That(Feed([.. Frame(Close, 0), .. Frame(Close, 2)], []).FirstCloseLength, Is.Zero, "an empty close has no status code");
        Assert.That(Feed([.. Frame(Close, 125, lengthForm: 16)], [3]).FirstCloseLength, Is.EqualTo(125));
    }

    /// <summary>
    /// Valid frames, then <paramref name="offending"/>, then a frame nothing may reach, cut into reads
    /// every possible way: the violation is found at the offending frame every time.
    /// </summary>
    private static void AssertRefusedWherever(byte[] offending, FrameViolation expected, byte[]? before = null)
    {
        before ??= [.. Frame(Text, 5), .. Frame(Ping, 3), .. Frame(Binary, 130)];
        byte[] stream = [.. before, .. offending, .. Frame(Text, 3)];
        foreach (var cuts in EverySplit(stream))
        {
            AssertStopsAt(Feed(stream, cuts), expected, before.Length, before.Length + DecidingByte(offending, expected));
        }
    }

    /// <summary>A frame the scanner lets through, with what a test needs to know about it.</summary>
    private sealed record FrameSpec(int Opcode, int Length, bool Fin, int Rsv, int Form)
    {
        public byte[] Bytes => Frame(Opcode, Length, Fin, Rsv, lengthForm: Form);

        public override string ToString() => $"op {Opcode:X} len {Length} fin {Fin} rsv {Rsv} form {Form}";
    }

    private static readonly int[] Forms = [7, 16, 64];

    /// <summary>A length form at least as long as the shortest that fits.</summary>
    private static int Form(int length, int pick) => Forms[Math.Max(pick, Array.IndexOf(Forms, ShortestForm(length)))];

    private static readonly Gen<FrameSpec> DataFrame =
        Gen.Select(Gen.OneOf(Text, Binary, Continuation), Gen.Int[0, 300], Gen.Bool, Gen.Int[0, 7], Gen.Int[0, 2],
            (opcode, length, fin, rsv, form) => new FrameSpec(opcode, length, fin, rsv, Form(length, form)));

    private static readonly Gen<FrameSpec> ControlFrame =
        Gen.Select(Gen.OneOf(Close, Ping, Pong), Gen.Int[0, 125], Gen.Int[0, 3], Gen.Int[0, 2],
            (opcode, length, rsv, form) => new FrameSpec(opcode, length, true, rsv, Form(length, form)));

    private static readonly Gen<FrameSpec> AnyValidFrame = Gen.Frequency((3, DataFrame), (1, ControlFrame));

    /// <summary>Cut points for a stream of <paramref name="length"/> bytes.</summary>
    private static Gen<int[]> Cuts(int length) => Gen.Int[0, Math.Max(0, length)].Array[0, 12];

    [Test]
    public void The_verdict_on_valid_frames_does_not_depend_on_how_the_reads_split_them()
    {
        // A limit no message of these frames can reach, fragments and all.
        const int noLimit = 1 << 20;
        var gen = AnyValidFrame.Array[0, 15].SelectMany(frames =>
        {
            byte[] stream = [.. frames.SelectMany(f => f.Bytes)];
            return Cuts(stream.Length).Select(cuts => (frames, stream, cuts));
        });

        gen.Sample(sample =>
        {
            var firstClose = sample.frames.FirstOrDefault(f => f.Opcode == Close)?.Length;
            AssertAllowedWhole(Feed(sample.stream, sample.cuts, noLimit), firstClose);
        }, iter: 1000, threads: 1, print: s => $"{string.Join("; ", s.frames.Select(f => f.ToString()))} cut at {string.Join(",", s.cuts)}");
    }

    private static readonly Gen<(byte[] Bytes, FrameViolation Violation)> OffendingFrame = Gen.OneOf(
        Gen.Select(Gen.OneOf(Text, Binary, Continuation, Close, Ping, Pong), Gen.Int[0, 125],
            (opcode, length) => (Frame(opcode, length, masked: false), FrameViolation.Unmasked)),
        Gen.ULong[0, uint.MaxValue].Select(low => (HeaderDeclaring(Binary, (1UL << 63) | low), FrameViolation.BadLength)),
        Gen.Select(Gen.OneOf(Close, Ping, Pong), Gen.Int[0, 125], Gen.Int[4, 7],
            (opcode, length, rsv) => (Frame(opcode, length, rsv: rsv), FrameViolation.CompressedControlFrame)),
        Gen.Select(Gen.OneOf(Text, Binary), Gen.Int[Limit + 1, Limit + 300], Gen.Int[0, 3],
            (opcode, length, rsv) => (Frame(opcode, length, rsv: rsv), FrameViolation.TooBig)));

    [Test]
    public void A_violation_is_found_at_the_offending_frame_however_the_reads_split_the_stream()
    {
        // Complete messages only before the offender, each well under the limit, so none of them can offend.
        var before = AnyValidFrame.Select(f => f with { Fin = true }).Array[0, 8];
        var gen = Gen.Select(before, OffendingFrame, AnyValidFrame.Array[0, 3]).SelectMany(parts =>
        {
            var (valid, offending, after) = parts;
            byte[] stream = [.. valid.SelectMany(f => f.Bytes), .. offending.Bytes, .. after.SelectMany(f => f.Bytes)];
            var start = valid.Sum(f => f.Bytes.Length);
            return Cuts(stream.Length).Select(cuts => (stream, start, offending, cuts));
        });

        gen.Sample(sample =>
        {
            var (stream, start, offending, cuts) = sample;
            AssertStopsAt(Feed(stream, cuts), offending.Violation, start, start + DecidingByte(offending.Bytes, offending.Violation));
        }, iter: 1000, threads: 1, print: s => $"{s.offending.Violation} at {s.start} of {s.stream.Length}, cut at {string.Join(",", s.cuts)}");
    }
}
