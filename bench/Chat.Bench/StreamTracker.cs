using System.Buffers.Text;

namespace Fleck.Chat.Bench;

/// <summary>
/// Follows each client's place in nick-broadcast's numbered stream, so that a client that drops
/// and resumes can be checked to see every offset exactly once, in order: <c>users</c> gives the
/// epoch and the offset the client starts after, every <c>message</c> and <c>history</c> event
/// must carry the next offset. A repeated offset is a duplicate, a skipped one a gap; neither is
/// counted as a delivery. Each client's slots are touched only by its own receive loop (one at a
/// time), so recording needs no locks.
/// </summary>
internal sealed class StreamTracker
{
    private readonly string?[] _epoch;
    private readonly long[] _startOffset;
    private readonly long[] _lastOffset;
    private readonly long[] _duplicates;
    private readonly long[] _gaps;
    private readonly int[] _usersSeen;
    private readonly int[] _recoveredSeen;
    private readonly int[] _notRecovered;
    private readonly long[] _recoveredMessages;
    private readonly int[] _epochChanged;

    public StreamTracker(int clients)
    {
        _epoch = new string?[clients];
        _startOffset = new long[clients];
        _lastOffset = new long[clients];
        _duplicates = new long[clients];
        _gaps = new long[clients];
        _usersSeen = new int[clients];
        _recoveredSeen = new int[clients];
        _notRecovered = new int[clients];
        _recoveredMessages = new long[clients];
        _epochChanged = new int[clients];
    }

    public int UsersEvents => _usersSeen.Sum();

    public long Duplicates => _duplicates.Sum();

    /// <summary>Offsets skipped: messages a client never got.</summary>
    public long Gaps => _gaps.Sum();

    /// <summary><c>recovered</c> events with <c>"recovered":true</c>.</summary>
    public int Recovered => _recoveredSeen.Sum() - NotRecovered;

    /// <summary><c>recovered</c> events with <c>"recovered":false</c>: the server could not replay everything missed.</summary>
    public int NotRecovered => _notRecovered.Sum();

    /// <summary>The sum of <c>count</c> over the <c>recovered</c> events.</summary>
    public long RecoveredMessages => _recoveredMessages.Sum();

    /// <summary>Resumes that found another epoch than the one the client started in.</summary>
    public int EpochChanges => _epochChanged.Sum();

    public int UsersSeen(int client) => Volatile.Read(ref _usersSeen[client]);

    public int RecoveredSeen(int client) => Volatile.Read(ref _recoveredSeen[client]);

    /// <summary>The epoch and offset of client <paramref name="client"/>'s first <c>users</c> event.</summary>
    public (string Epoch, long Offset) Position(int client) => (Volatile.Read(ref _epoch[client]) ?? "", _startOffset[client]);

    /// <summary>Where client <paramref name="client"/> resumes from: the query of its reconnect.</summary>
    public string ResumeQuery(int client) =>
        $"since={Volatile.Read(ref _lastOffset[client])}&epoch={Uri.EscapeDataString(Volatile.Read(ref _epoch[client]) ?? "")}";

    /// <summary>
    /// Takes one event; true with the payload's fields for a message this client had not seen, the
    /// next in its stream (or the first after a gap, which is counted).
    /// </summary>
    public bool Accept(int client, ReadOnlySpan<byte> frame, out int sender, out long seq, out long timestamp)
    {
        sender = 0;
        seq = 0;
        timestamp = 0;
        if (!frame.StartsWith("{\"type\":\"message\""u8) && !frame.StartsWith("{\"type\":\"history\""u8))
        {
            if (frame.StartsWith("{\"type\":\"users\""u8))
            {
                OnUsers(client, frame);
            }
            else if (frame.StartsWith("{\"type\":\"recovered\""u8))
            {
                OnRecovered(client, frame);
            }
            return false;
        }
        if (!TryReadNumber(frame, "\"offset\":"u8, out var offset))
        {
            return false;
        }
        if (offset <= _startOffset[client])
        {
            // Kept from before this client's first join (the replayed history): not part of the run.
            return false;
        }
        var last = _lastOffset[client];
        if (offset <= last)
        {
            _duplicates[client]++;
            return false;
        }
        if (offset > last + 1)
        {
            _gaps[client] += offset - last - 1;
        }
        Volatile.Write(ref _lastOffset[client], offset);
        return Payload.TryReadMsg(frame, out sender, out seq, out timestamp);
    }

    private void OnUsers(int client, ReadOnlySpan<byte> frame)
    {
        var epoch = ReadString(frame, "\"epoch\":\""u8);
        if (_epoch[client] is null)
        {
            TryReadNumber(frame, "\"offset\":"u8, out var offset);
            _startOffset[client] = offset;
            _lastOffset[client] = offset;
            Volatile.Write(ref _epoch[client], epoch);
        }
        else if (epoch != _epoch[client])
        {
            _epochChanged[client]++;
        }
        Interlocked.Increment(ref _usersSeen[client]);
    }

    private void OnRecovered(int client, ReadOnlySpan<byte> frame)
    {
        if (frame.IndexOf("\"recovered\":true"u8) >= 0)
        {
            TryReadNumber(frame, "\"count\":"u8, out var count);
            _recoveredMessages[client] += count;
        }
        else
        {
            _notRecovered[client]++;
        }
        Interlocked.Increment(ref _recoveredSeen[client]);
    }

    private static bool TryReadNumber(ReadOnlySpan<byte> frame, ReadOnlySpan<byte> key, out long value)
    {
        value = 0;
        var at = frame.IndexOf(key);
        return at >= 0 && Utf8Parser.TryParse(frame[(at + key.Length)..], out value, out _);
    }

    private static string? ReadString(ReadOnlySpan<byte> frame, ReadOnlySpan<byte> key)
    {
        var at = frame.IndexOf(key);
        if (at < 0)
        {
            return null;
        }
        var rest = frame[(at + key.Length)..];
        var end = rest.IndexOf((byte)'"');
        return end < 0 ? null : System.Text.Encoding.UTF8.GetString(rest[..end]);
    }
}
