using System.Buffers.Binary;

namespace Fleck.Chat.Tests.Conformance;

/// <summary>How a probe case must end.</summary>
public enum ProbeEnd
{
    /// <summary>The connection is healthy: the probe closes with 1000 and expects 1000 back, then the TCP close.</summary>
    CleanClose,

    /// <summary>The server must fail the connection: a close frame with one of the expected codes, then the TCP close.</summary>
    ServerFails,

    /// <summary>The probe's own writes closed the connection; after the expected frames the TCP connection must end.</summary>
    TcpEnds,
}

/// <summary>A frame the server must send. For a close frame only the status code is compared (the reason is free).</summary>
public sealed record ExpectedFrame(int Opcode, byte[] Payload)
{
    public override string ToString() => $"opcode {Opcode:X}, {Payload.Length} bytes";
}

/// <summary>
/// One probe case: the bytes a client writes (each array its own socket write, so a case can chop a
/// frame into pieces), the frames a strict server answers with, in order, and how the connection ends.
/// </summary>
public sealed record ProbeCase(string Id, string Title, IReadOnlyList<byte[]> Writes, IReadOnlyList<ExpectedFrame> Frames, ProbeEnd End, int[] CloseCodes)
{
    public override string ToString() => $"{Id} {Title}";

    public static int? CloseCodeOf(byte[] payload) => payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : null;
}
