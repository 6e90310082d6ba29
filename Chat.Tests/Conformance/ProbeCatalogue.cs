using System.Text;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Conformance;

/// <summary>
/// The probe's cases, grouped and numbered after the Autobahn|Testsuite categories: 1 framing,
/// 2 pings and pongs, 3 reserved bits, 4 opcodes, 5 fragmentation, 6 UTF-8, 7 close handshake,
/// 9 limits, 10 masking. Every expectation comes from RFC 6455 itself, for a server that relays
/// each message back to a lone client (broadcast mode with the sender included).
/// </summary>
internal static class ProbeCatalogue
{
    /// <summary>The host's default --max-message-bytes.</summary>
    public const int MessageLimit = 64 * 1024;

    public static IEnumerable<ProbeCase> All() =>
        Framing().Concat(Pings()).Concat(ReservedBits()).Concat(Opcodes()).Concat(Fragmentation())
            .Concat(Utf8()).Concat(Closing()).Concat(Limits()).Concat(Masking());

    private static IEnumerable<ProbeCase> Framing()
    {
        var n = 1;
        foreach (var size in new[] { 0, 1, 125, 126, 127, 128, 65535, 65536 })
        {
            var text = new string('*', size);
            yield return Healthy($"1.1.{n++}", $"text message of {size} bytes", [Text(text)], Echo(text));
        }
        n = 1;
        foreach (var size in new[] { 0, 125, 126, 65535 })
        {
            var bytes = Enumerable.Range(0, size).Select(i => (byte)(i * 7)).ToArray();
            yield return Healthy($"1.2.{n++}", $"binary message of {size} bytes", [Frame(0x2, bytes)], new ExpectedFrame(0x2, bytes));
        }
        yield return Healthy("1.3.1", "a small payload in the 64-bit length form", [RawWebSocketClient.Frame(0x1, "long form"u8, lengthForm: 64)], Echo("long form"));
        yield return Healthy("1.3.2", "a small payload in the 16-bit length form", [RawWebSocketClient.Frame(0x1, "mid form"u8, lengthForm: 16)], Echo("mid form"));
        yield return Healthy("1.4.1", "a text frame written one byte at a time", Chop(Text("chopped")), Echo("chopped"));
        yield return Healthy("1.4.2", "three frames in one write", [Join(Text("a"), Text("b"), Text("c"))], Echo("a"), Echo("b"), Echo("c"));
    }

    private static IEnumerable<ProbeCase> Pings()
    {
        var payload125 = Enumerable.Range(0, 125).Select(i => (byte)i).ToArray();
        yield return Healthy("2.1", "a ping without payload gets a pong without payload", [Frame(0x9, [])], Pong([]));
        yield return Healthy("2.2", "a ping with a text payload gets a pong with the same payload", [Frame(0x9, "Hello, world!"u8.ToArray())], Pong("Hello, world!"u8.ToArray()));
        yield return Healthy("2.3", "a ping with a binary payload gets a pong with the same payload", [Frame(0x9, [0x00, 0xFF, 0xFE, 0xFD, 0xFC])], Pong([0x00, 0xFF, 0xFE, 0xFD, 0xFC]));
        yield return Healthy("2.4", "a ping with a 125-byte payload gets a pong with the same payload", [Frame(0x9, payload125)], Pong(payload125));
        yield return Fails("2.5", "a ping with a 126-byte payload", [Frame(0x9, new byte[126])], [1002]);
        yield return Healthy("2.6", "an unsolicited pong is ignored", [Frame(0xA, "unasked"u8.ToArray()), Text("after pong")], Echo("after pong"));
        yield return Healthy("2.7", "an unsolicited pong without payload is ignored", [Frame(0xA, []), Text("after empty pong")], Echo("after empty pong"));
        // RFC 6455 §5.5.3: an endpoint may answer only the most recent of several pings; the runner lets earlier pongs through.
        yield return Healthy("2.8", "ten pings in a row: the last one is answered",
            [.. Enumerable.Range(0, 10).Select(i => Frame(0x9, Encoding.ASCII.GetBytes($"ping {i}")))],
            Pong("ping 9"u8.ToArray()));
        yield return Healthy("2.9", "a ping written one byte at a time", Chop(Frame(0x9, "slow ping"u8.ToArray())), Pong("slow ping"u8.ToArray()));
    }

    private static IEnumerable<ProbeCase> ReservedBits()
    {
        for (var rsv = 1; rsv <= 7; rsv++)
        {
            yield return Fails($"3.{rsv}", $"reserved bits {rsv} on a text frame, no extension negotiated", [RawWebSocketClient.Frame(0x1, "rsv"u8, rsv: rsv)], [1002]);
        }
        yield return Fails("3.8", "a reserved bit on a ping", [RawWebSocketClient.Frame(0x9, "rsv"u8, rsv: 2)], [1002]);
        yield return FailsAfter("3.9", "a good text, then a reserved bit, then a good text", [Text("before"), RawWebSocketClient.Frame(0x1, "bad"u8, rsv: 1), Text("after")], [Echo("before")], [1002]);
    }

    private static IEnumerable<ProbeCase> Opcodes()
    {
        foreach (var opcode in new[] { 3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF })
        {
            yield return Fails($"4.{opcode:X}", $"reserved opcode {opcode:X}", [Frame(opcode, "x"u8.ToArray())], [1002]);
        }
        yield return FailsAfter("4.10", "a good text, then reserved opcode 5 with a payload, then a ping", [Text("before"), Frame(5, "payload"u8.ToArray()), Frame(0x9, [])], [Echo("before")], [1002]);
    }

    private static IEnumerable<ProbeCase> Fragmentation()
    {
        yield return Fails("5.1", "a ping in two fragments", [Frame(0x9, "frag"u8.ToArray(), fin: false), Frame(0x0, "ment"u8.ToArray())], [1002]);
        yield return Fails("5.2", "a pong in two fragments", [Frame(0xA, "frag"u8.ToArray(), fin: false), Frame(0x0, "ment"u8.ToArray())], [1002]);
        yield return Healthy("5.3", "a text message in two fragments", [Frame(0x1, "frag"u8.ToArray(), fin: false), Frame(0x0, "ment"u8.ToArray())], Echo("fragment"));
        yield return Healthy("5.4", "two fragments written as one", [Join(Frame(0x1, "frag"u8.ToArray(), fin: false), Frame(0x0, "ment"u8.ToArray()))], Echo("fragment"));
        yield return Healthy("5.5", "a ping between two fragments is answered first",
            [Frame(0x1, "frag"u8.ToArray(), fin: false), Frame(0x9, "in between"u8.ToArray()), Frame(0x0, "ment"u8.ToArray())],
            Pong("in between"u8.ToArray()), Echo("fragment"));
        yield return Healthy("5.6", "an unsolicited pong between two fragments is ignored",
            [Frame(0x1, "frag"u8.ToArray(), fin: false), Frame(0xA, "ignored"u8.ToArray()), Frame(0x0, "ment"u8.ToArray())], Echo("fragment"));
        yield return Healthy("5.7", "every byte its own fragment",
            [Frame(0x1, "f"u8.ToArray(), fin: false), .. "ragmen"u8.ToArray().Select(b => Frame(0x0, [b], fin: false)), Frame(0x0, "t"u8.ToArray())], Echo("fragment"));
        yield return Healthy("5.8", "empty first and last fragments",
            [Frame(0x1, [], fin: false), Frame(0x0, "middle"u8.ToArray(), fin: false), Frame(0x0, [])], Echo("middle"));
        yield return Fails("5.9", "a continuation without a message to continue (final)", [Frame(0x0, "orphan"u8.ToArray())], [1002]);
        yield return Fails("5.10", "a continuation without a message to continue (not final)", [Frame(0x0, "orphan"u8.ToArray(), fin: false), Frame(0x0, "end"u8.ToArray())], [1002]);
        yield return Fails("5.11", "a new text frame inside a fragmented message", [Frame(0x1, "one"u8.ToArray(), fin: false), Frame(0x1, "two"u8.ToArray())], [1002]);
        yield return Fails("5.12", "a new binary frame inside a fragmented text message", [Frame(0x1, "one"u8.ToArray(), fin: false), Frame(0x2, "two"u8.ToArray())], [1002]);
        yield return Healthy("5.13", "a binary message in three fragments", [Frame(0x2, [1], fin: false), Frame(0x0, [2], fin: false), Frame(0x0, [3])], new ExpectedFrame(0x2, [1, 2, 3]));
    }

    private static IEnumerable<ProbeCase> Utf8()
    {
        string[] valid = ["κόσμε", "Hello-µ@ßöäüàá-UTF-8!!", "小明 说 你好", "🚀 emoji 𝄞", "\u0000 nul is valid UTF-8", "\uFFFF\uFEFF end of the BMP"];
        var n = 1;
        foreach (var text in valid)
        {
            yield return Healthy($"6.1.{n++}", $"valid UTF-8: {Printable(text)}", [Text(text)], Echo(text));
        }
        var kosme = Encoding.UTF8.GetBytes("κόσμε");
        n = 1;
        for (var split = 1; split < kosme.Length; split += 2)
        {
            yield return Healthy($"6.2.{n++}", $"valid UTF-8 split into two fragments at byte {split}",
                [Frame(0x1, kosme[..split], fin: false), Frame(0x0, kosme[split..])], Echo("κόσμε"));
        }
        (string Name, byte[] Bytes)[] invalid =
        [
            ("a lone continuation byte", [0x80]),
            ("an overlong slash (C0 AF)", [0xC0, 0xAF]),
            ("an overlong NUL in three bytes", [0xE0, 0x80, 0x80]),
            ("a UTF-16 surrogate (ED A0 80)", [0xED, 0xA0, 0x80]),
            ("a code point above U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
            ("bytes FE and FF", [0x61, 0xFE, 0xFF]),
            ("a truncated sequence at the end", [0x61, 0x62, 0xCE]),
            ("a four-byte start followed by ASCII", [0xF0, 0x41, 0x41, 0x41]),
        ];
        n = 1;
        foreach (var (name, bytes) in invalid)
        {
            yield return Fails($"6.3.{n++}", $"invalid UTF-8: {name}", [Frame(0x1, bytes)], [1007]);
        }
        yield return Fails("6.4.1", "invalid UTF-8 in the second fragment", [Frame(0x1, "valid "u8.ToArray(), fin: false), Frame(0x0, [0xED, 0xA0, 0x80])], [1007]);
        yield return Fails("6.4.2", "a sequence cut by the final fragment", [Frame(0x1, [0xCE], fin: false), Frame(0x0, [])], [1007]);
        yield return Healthy("6.5.1", "invalid UTF-8 in a binary message is just bytes", [Frame(0x2, [0xC0, 0xAF, 0xFF])], new ExpectedFrame(0x2, [0xC0, 0xAF, 0xFF]));
    }

    private static IEnumerable<ProbeCase> Closing()
    {
        yield return Closes("7.1.1", "a close with 1000 is answered with 1000", [Close(1000)], 1000);
        yield return Closes("7.1.2", "a close with a code and a reason is answered with the code", [Close(1000, "bye now")], 1000);
        yield return new ProbeCase("7.1.3", "a close without payload is answered without a code", [Frame(0x8, [])], [new ExpectedFrame(0x8, [])], ProbeEnd.TcpEnds, []);
        yield return Closes("7.1.4", "a text after the close is ignored", [Close(1000), Text("too late")], 1000);
        yield return Closes("7.1.5", "a ping after the close is not answered", [Close(1000), Frame(0x9, "too late"u8.ToArray())], 1000);
        yield return Closes("7.1.6", "a close in the middle of a fragmented message", [Frame(0x1, "half"u8.ToArray(), fin: false), Close(1000)], 1000);
        yield return Closes("7.1.7", "a close whose reason fills the 125 bytes", [Close(1000, new string('r', 123))], 1000);
        yield return Fails("7.2.1", "a close with a one-byte payload", [Frame(0x8, [0x03])], [1002]);
        yield return Fails("7.2.2", "a close with a 126-byte payload", [Close(1000, new string('r', 124))], [1002]);
        yield return Fails("7.2.3", "a close reason that is not UTF-8", [Frame(0x8, [0x03, 0xE8, 0xC0, 0xAF])], [1002, 1007]);
        foreach (var code in new[] { 1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999 })
        {
            yield return Closes($"7.3.{code}", $"valid close code {code} is echoed", [Close(code)], code);
        }
        foreach (var code in new[] { 0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535 })
        {
            yield return Fails($"7.4.{code}", $"invalid close code {code}", [Close(code)], [1002]);
        }
    }

    private static IEnumerable<ProbeCase> Limits()
    {
        var atLimit = new string('l', MessageLimit);
        yield return Healthy("9.1", "a message exactly at the limit", [Text(atLimit)], Echo(atLimit));
        yield return Fails("9.2", "a message one byte over the limit", [Text(atLimit + "!")], [1009]);
        yield return Fails("9.3", "a fragmented message over the limit",
            [Frame(0x1, new byte[MessageLimit / 2], fin: false), Frame(0x0, new byte[MessageLimit / 2], fin: false), Frame(0x0, new byte[1])], [1009]);
        yield return Fails("9.4", "a header declaring 1 GiB, with no payload behind it", [[0x81, 0x80 | 127, 0, 0, 0, 0, 0x40, 0, 0, 0, 1, 2, 3, 4]], [1009]);
        yield return Fails("9.5", "a 64-bit length with its top bit set", [[0x81, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4]], [1002]);
    }

    private static IEnumerable<ProbeCase> Masking()
    {
        yield return Fails("10.1", "an unmasked text frame", [RawWebSocketClient.Frame(0x1, "naked"u8, mask: false)], [1002]);
        yield return Fails("10.2", "an unmasked empty text frame", [RawWebSocketClient.Frame(0x1, [], mask: false)], [1002]);
        yield return Fails("10.3", "an unmasked ping", [RawWebSocketClient.Frame(0x9, "p"u8, mask: false)], [1002]);
        yield return FailsAfter("10.4", "a masked text, then an unmasked one", [Text("masked"), RawWebSocketClient.Frame(0x1, "naked"u8, mask: false)], [Echo("masked")], [1002]);
    }

    private static ProbeCase Healthy(string id, string title, byte[][] writes, params ExpectedFrame[] frames) =>
        new(id, title, writes, frames, ProbeEnd.CleanClose, []);

    private static ProbeCase Fails(string id, string title, byte[][] writes, int[] codes) =>
        new(id, title, writes, [], ProbeEnd.ServerFails, codes);

    private static ProbeCase FailsAfter(string id, string title, byte[][] writes, ExpectedFrame[] frames, int[] codes) =>
        new(id, title, writes, frames, ProbeEnd.ServerFails, codes);

    private static ProbeCase Closes(string id, string title, byte[][] writes, int code) =>
        new(id, title, writes, [new ExpectedFrame(0x8, RawWebSocketClient.ClosePayload(code))], ProbeEnd.TcpEnds, []);

    private static byte[] Frame(int opcode, byte[] payload, bool fin = true) => RawWebSocketClient.Frame(opcode, payload, fin);

    private static byte[] Text(string text) => Frame(0x1, Encoding.UTF8.GetBytes(text));

    private static byte[] Close(int code, string reason = "") => Frame(0x8, RawWebSocketClient.ClosePayload(code, reason));

    private static ExpectedFrame Echo(string text) => new(0x1, Encoding.UTF8.GetBytes(text));

    private static ExpectedFrame Pong(byte[] payload) => new(0xA, payload);

    private static byte[] Join(params byte[][] frames) => [.. frames.SelectMany(f => f)];

    private static byte[][] Chop(byte[] frame) => [.. frame.Select(b => new[] { b })];

    private static string Printable(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) || char.IsSurrogate(c) || c > '\uFEFE' ? $"\\u{(int)c:X4}" : c.ToString()));
}
