using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Fleck.Chat.Transport;

/// <summary>What the scanner found wrong with the client's byte stream.</summary>
internal enum FrameViolation : byte
{
    None,

    /// <summary>A client frame without a mask (RFC 6455 §5.1).</summary>
    Unmasked,

    /// <summary>A 64-bit payload length with its most significant bit set (RFC 6455 §5.2).</summary>
    BadLength,

    /// <summary>RSV1 on a control frame, where no extension gives it a meaning (RFC 6455 §5.2, RFC 7692 §6.1).</summary>
    CompressedControlFrame,

    /// <summary>A data message whose declared size exceeds the limit.</summary>
    TooBig,

    /// <summary>More pings and pongs in one second than the server allows; answered with 1008.</summary>
    ControlFlood,

    /// <summary>A data message in more fragments than the server allows; answered with 1008.</summary>
    TooManyFragments,
}

/// <summary>
/// Follows frame boundaries in the bytes a client sends, one step ahead of the BCL's parser, for the
/// few rules that parser enforces late or cannot know:
/// <list type="bullet">
/// <item>an unmasked frame is refused at its second byte; the BCL reads four more header bytes
/// (the mask it expects) before it looks, so a short unmasked frame would leave it waiting forever;</item>
/// <item>a message whose declared length exceeds the limit is refused at its header, before its
/// payload is read;</item>
/// <item>a control frame with RSV1 set is refused: permessage-deflate never sets it there, yet the
/// BCL takes it as "compressed" once deflate is negotiated and then mishandles the frame;</item>
/// <item>the length of the first close frame is kept, because the BCL reports a close without a
/// status code as 1000 while RFC 6455 §7.1.5 says it has none;</item>
/// <item>pings and pongs are counted per one-second window: each ping costs the server a pong, so a
/// peer that floods them is cut off (the BCL answers every ping it reads, as fast as it is sent);</item>
/// <item>the fragments of a data message are counted, and the time its first byte arrived is kept
/// until its last frame is complete, for the sweep that bounds how long a message may take.</item>
/// </list>
/// Only headers are looked at byte by byte; payloads are skipped whole. Everything else (opcodes,
/// reserved bits, control-frame and fragmentation rules, UTF-8) stays with the BCL.
/// Thread-safety: none; it is used by the single reader.
/// </summary>
// Every connection holds one: auto layout packs the small fields together instead of padding each.
[StructLayout(LayoutKind.Auto)]
internal struct IncomingFrameScanner(int maxMessageBytes, int maxControlFramesPerSecond = 0, int maxFragmentsPerMessage = 0)
{
    private const int MaskLength = 4;
    private const long WindowMs = 1000;

    // A frame header is 14 bytes at most.
    private byte _headerFilled;
    private byte _headerLength;
    private byte _first;
    private ulong _length;
    private long _payloadLeft;
    private long _messageBytes;
    private bool _messageCompressed;
    private long _controlWindowStart;
    private int _controlFrames;
    private bool _frameEndsMessage;
    private bool _pastMessageEnd;
    private int _fragments;

    // Written by the reader, read by the sweep on another thread (a 64-bit field is read whole).
    private long _messageStartedMs;

    /// <summary>The first violation found; once set, nothing more is scanned.</summary>
    public FrameViolation Violation { get; private set; }

    // One more than the payload length of the first close frame, 0 before one arrived (smaller than an int?).
    private int _firstCloseLengthPlusOne;

    /// <summary>Payload length of the first close frame the client sent, or null before one arrived.</summary>
    public readonly int? FirstCloseLength => _firstCloseLengthPlusOne == 0 ? null : _firstCloseLengthPlusOne - 1;

    /// <summary>Data messages whose last frame has been scanned whole.</summary>
    public long MessagesEnded { get; private set; }

    /// <summary>
    /// True when the bytes scanned so far end exactly where a data message ends (or none were
    /// scanned): a parser that has returned <see cref="MessagesEnded"/> messages then holds nothing unread.
    /// </summary>
    public readonly bool AtMessageEnd => !_pastMessageEnd;

    /// <summary>
    /// When the first byte of the data message under way arrived (a <see cref="Environment.TickCount64"/>
    /// reading), or 0 when none is: between messages, or while only control frames arrive. Safe to
    /// read from another thread.
    /// </summary>
    public long MessageStartedMs => Volatile.Read(ref _messageStartedMs);

    /// <summary>Scans the next bytes from the client, which arrived just now.</summary>
    public int Scan(ReadOnlySpan<byte> data) => Scan(data, Environment.TickCount64);

    /// <summary>
    /// Scans the next bytes from the client, which arrived at <paramref name="nowMs"/> (a
    /// <see cref="Environment.TickCount64"/> reading). Returns how many of them may be handed to the
    /// parser: all of them, or, when a violation starts in <paramref name="data"/>, those before the
    /// offending frame.
    /// </summary>
    public int Scan(ReadOnlySpan<byte> data, long nowMs)
    {
        if (Violation != FrameViolation.None)
        {
            return 0;
        }

        var frameStart = 0;
        var i = 0;
        while (i < data.Length)
        {
            _pastMessageEnd = true;
            if (_payloadLeft > 0)
            {
                var skip = (int)Math.Min(_payloadLeft, data.Length - i);
                i += skip;
                _payloadLeft -= skip;
                if (_payloadLeft == 0)
                {
                    OnFrameEnd();
                }
                continue;
            }
            var b = data[i];
            switch (_headerFilled)
            {
                case 0:
                    frameStart = i;
                    _first = b;
                    if (_messageStartedMs == 0 && (b & 0x0F) < 0x8)
                    {
                        // 0 means "no message"; a clock reading of 0 is taken as 1.
                        Volatile.Write(ref _messageStartedMs, Math.Max(1, nowMs));
                    }
                    break;
                case 1:
                    // RFC 6455 §5.1: a server MUST close the connection on a frame that is not masked.
                    if ((b & 0x80) == 0)
                    {
                        return Fail(FrameViolation.Unmasked, frameStart);
                    }
                    var length7 = b & 0x7F;
                    _headerLength = (byte)(2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + MaskLength);
                    _length = length7 < 126 ? (ulong)length7 : 0;
                    break;
                default:
                    if (_headerFilled < _headerLength - MaskLength)
                    {
                        _length = (_length << 8) | b;
                    }
                    break;
            }
            _headerFilled++;
            i++;
            if (_headerFilled > 1 && _headerFilled == _headerLength)
            {
                _headerFilled = 0;
                var violation = OnHeader(nowMs);
                if (violation != FrameViolation.None)
                {
                    return Fail(violation, frameStart);
                }
                if (_payloadLeft == 0)
                {
                    OnFrameEnd();
                }
            }
        }
        return data.Length;
    }

    private void OnFrameEnd()
    {
        if (_frameEndsMessage)
        {
            MessagesEnded++;
            _pastMessageEnd = false;
            _fragments = 0;
            Volatile.Write(ref _messageStartedMs, 0);
        }
    }

    private FrameViolation OnHeader(long nowMs)
    {
        // RFC 6455 §5.2: the most significant bit of a 64-bit length MUST be 0.
        if (_length > long.MaxValue)
        {
            return FrameViolation.BadLength;
        }
        _payloadLeft = (long)_length;
        var opcode = _first & 0x0F;
        _frameEndsMessage = opcode < 0x8 && (_first & 0x80) != 0;
        if (opcode >= 0x8)
        {
            if ((_first & 0x40) != 0)
            {
                return FrameViolation.CompressedControlFrame;
            }
            if (opcode == 0x8)
            {
                if (_firstCloseLengthPlusOne == 0)
                {
                    _firstCloseLengthPlusOne = (int)Math.Min(_length, int.MaxValue - 1) + 1;
                }
                return FrameViolation.None;
            }
            return CountControlFrame(nowMs);
        }
        if (opcode != 0x0)
        {
            // A new data message; RSV1 marks it compressed (RFC 7692 §6), and then only the inflated size
            // counts, which the receive loop checks.
            _messageBytes = 0;
            _messageCompressed = (_first & 0x40) != 0;
            _fragments = 0;
        }
        if (++_fragments > maxFragmentsPerMessage && maxFragmentsPerMessage > 0)
        {
            return FrameViolation.TooManyFragments;
        }
        if (!_messageCompressed)
        {
            _messageBytes += (long)_length;
            if (_messageBytes > maxMessageBytes || _messageBytes < 0)
            {
                return FrameViolation.TooBig;
            }
        }
        if ((_first & 0x80) != 0)
        {
            _messageBytes = 0;
        }
        return FrameViolation.None;
    }

    private FrameViolation CountControlFrame(long nowMs)
    {
        if (maxControlFramesPerSecond <= 0)
        {
            return FrameViolation.None;
        }
        if (nowMs - _controlWindowStart >= WindowMs)
        {
            _controlWindowStart = nowMs;
            _controlFrames = 0;
        }
        return ++_controlFrames > maxControlFramesPerSecond ? FrameViolation.ControlFlood : FrameViolation.None;
    }

    private int Fail(FrameViolation violation, int frameStart)
    {
        Debug.Assert(violation != FrameViolation.None);
        Violation = violation;
        return frameStart;
    }
}
