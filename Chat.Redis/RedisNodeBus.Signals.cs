using System.Buffers.Binary;
using System.Text;
using Fleck.Chat.Scaling;

namespace Fleck.Chat.Redis;

/// <summary>
/// Signals (typing, read markers): a stream's go on its channel, so only nodes with a member there
/// get them, as <c>T</c>, the origin node id, a 2-byte length and the UTF-8 excepted user (empty for
/// none), then the event; a user's go on the broadcast channel as <see cref="Envelope.UserSignal"/>.
/// </summary>
internal sealed partial class RedisNodeBus
{
    /// <summary>Marks a signal on a stream channel.</summary>
    private const byte StreamSignalTag = (byte)'T';

    /// <inheritdoc />
    public void PublishSignal(SignalScope scope, string name, string? exceptUser, ReadOnlyMemory<byte> text)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (scope == SignalScope.User)
        {
            context.Publish(context.Keys.Broadcast, Envelope.ForUserSignal(NodeIdBytes, NextSequence(), name, text.Span));
            return;
        }
        var except = Encoding.UTF8.GetBytes(exceptUser ?? "");
        var header = 1 + NodeIdBytes.Length + sizeof(ushort);
        var payload = new byte[header + except.Length + text.Length];
        payload[0] = StreamSignalTag;
        NodeIdBytes.CopyTo(payload, 1);
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(1 + NodeIdBytes.Length), (ushort)except.Length);
        except.CopyTo(payload, header);
        text.Span.CopyTo(payload.AsSpan(header + except.Length));
        context.Publish(context.Rooms.Channel(name), payload);
    }

    private void OnUserSignal(IBackplaneNode node, ReadOnlyMemory<byte> data, ReadOnlySpan<byte> origin)
    {
        if (Envelope.TryReadForMember(data, out var sequence, out var nickname, out var text) && _seen.IsFirst(origin, sequence))
        {
            node.DeliverSignal(SignalScope.User, nickname, null, text);
        }
    }

    private void OnStreamSignal(IBackplaneNode node, string stream, byte[] data)
    {
        var header = 1 + NodeIdBytes.Length + sizeof(ushort);
        if (data.Length < header || data.AsSpan(1, NodeIdBytes.Length).SequenceEqual(NodeIdBytes))
        {
            return;
        }
        var length = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(1 + NodeIdBytes.Length));
        if (data.Length < header + length)
        {
            return;
        }
        var except = length == 0 ? null : Encoding.UTF8.GetString(data, header, length);
        node.DeliverSignal(SignalScope.Stream, stream, except, data.AsMemory(header + length));
    }
}
