using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Fleck.Chat.Redis;

/// <summary>
/// Rooms through Redis. Each room has its own channel, and a node subscribes to it only while it
/// has a member in that room: a room's traffic never reaches a node with nobody in it. The price is
/// one SUBSCRIBE round trip when a node's first member enters a room and one UNSUBSCRIBE when its
/// last leaves, and Redis keeps one subscription per (node, room with a local member).
/// Messages are numbered by an atomic HINCRBY per room in the same script that keeps them in a
/// capped list and publishes them (with the epoch), and every node, the sender's included, delivers a room's messages from its subscription,
/// so all nodes see one order. While Redis is unreachable, room messages cannot be sent (the sender
/// gets an error) and joins fail; the other modes' local chat is not affected.
/// </summary>
public sealed partial class RedisBackplane : IRoomBackplane
{
    /// <summary>Marks a numbered message on a room channel.</summary>
    private const byte RoomMessageTag = (byte)'M';

    /// <summary>Marks an unnumbered event on a room channel, followed by the origin node id.</summary>
    private const byte RoomEventTag = (byte)'E';

    /// <summary>Marks a member of a dead node leaving the room, followed by its nickname.</summary>
    private const byte RoomMemberLostTag = (byte)'L';

    private readonly ConcurrentDictionary<string, ChannelMessageQueue> _roomQueues = new(StringComparer.Ordinal);
    private RoomKeys? _roomKeys;
    private IRoomStreamNode? _roomNode;
    private long _roomMessagesReceived;

    /// <summary>Room messages and events this node has received from Redis (all rooms), for tests and diagnostics.</summary>
    public long RoomMessagesReceived => Interlocked.Read(ref _roomMessagesReceived);

    /// <summary>The rooms this node is subscribed to right now.</summary>
    public IReadOnlyCollection<string> SubscribedRooms => [.. _roomQueues.Keys];

    private RoomKeys Rooms => _roomKeys ??= new RoomKeys(_options.Prefix);

    /// <inheritdoc />
    public void AttachRooms(IRoomStreamNode node) => _roomNode = node ?? throw new ArgumentNullException(nameof(node));

    /// <inheritdoc />
    public async ValueTask SubscribeRoomAsync(string room, CancellationToken cancellationToken)
    {
        ChannelMessageQueue queue;
        try
        {
            queue = await SubscribeAsync(Rooms.Channel(room), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            throw Unavailable(ex);
        }
        // One message at a time, in the order Redis published them: offset order.
        queue.OnMessage(message => OnRoomMessage(room, message));
        if (_roomQueues.TryGetValue(room, out var stale))
        {
            await stale.UnsubscribeAsync().ConfigureAwait(false);
        }
        _roomQueues[room] = queue;
    }

    /// <inheritdoc />
    public async ValueTask UnsubscribeRoomAsync(string room)
    {
        if (_roomQueues.TryRemove(room, out var queue))
        {
            try
            {
                await queue.UnsubscribeAsync().ConfigureAwait(false);
                // This node's last member there left: the time to live counts from now.
                await TouchStreamAsync(room).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                throw Unavailable(ex);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<RoomEntry> AppendRoomMessageAsync(string room, string name, string msg, long ts, int capacity, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new StoredMessage(name, msg, ts), RedisJsonContext.Default.StoredMessage);
        try
        {
            var limits = _streamLimits;
            var offset = (long)await Db.ScriptEvaluateAsync(RoomScripts.Append,
                [Rooms.Stream(room), Rooms.History(room), Rooms.StreamCount],
                [NewEpoch(), json, Math.Min(Math.Max(0, capacity), limits.Retain), Rooms.ChannelName(room), limits.RetainBytes, Encoding.UTF8.GetByteCount(msg),
                    TtlMs(limits), NowMs(), room]).WaitAsync(cancellationToken).ConfigureAwait(false);
            return new RoomEntry(name, msg, ts, offset);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            throw Unavailable(ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<RoomStreamState> ReadRoomAsync(string room, int count, CancellationToken cancellationToken)
    {
        RedisResult[] parts;
        try
        {
            parts = (RedisResult[])(await Db.ScriptEvaluateAsync(RoomScripts.Read,
                [Rooms.Stream(room), Rooms.History(room), Rooms.StreamCount],
                [NewEpoch(), Math.Max(0, count), TtlMs(_streamLimits), NowMs(), room]).WaitAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            throw Unavailable(ex);
        }
        var history = new List<RoomEntry>();
        foreach (var item in (RedisResult[])parts[2]!)
        {
            if (TryParseItem((byte[])item!, out var entry))
            {
                history.Add(entry);
            }
        }
        return new RoomStreamState(parts[0].ToString(), (long)parts[1], history);
    }

    /// <inheritdoc />
    public void PublishRoomEvent(string room, ReadOnlyMemory<byte> text)
    {
        var payload = new byte[1 + _nodeIdBytes.Length + text.Length];
        payload[0] = RoomEventTag;
        _nodeIdBytes.CopyTo(payload, 1);
        text.Span.CopyTo(payload.AsSpan(1 + _nodeIdBytes.Length));
        Publish(Rooms.Channel(room), payload);
    }

    /// <inheritdoc />
    public async ValueTask<bool> AddRoomMemberAsync(string room, string nickname, CancellationToken cancellationToken)
    {
        try
        {
            return (long)await Db.ScriptEvaluateAsync(RoomScripts.AddMember, [Rooms.Members(room), Rooms.Index, Rooms.NodeRecord(NodeId)], [nickname, room, RoomKeys.RecordField(room, nickname)])
                .WaitAsync(cancellationToken).ConfigureAwait(false) == 1;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            throw Unavailable(ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> RemoveRoomMemberAsync(string room, string nickname)
    {
        try
        {
            return (long)await Db.ScriptEvaluateAsync(RoomScripts.RemoveMember, [Rooms.Members(room), Rooms.Index, Rooms.NodeRecord(NodeId)], [nickname, room, RoomKeys.RecordField(room, nickname)]).ConfigureAwait(false) == 1;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            throw Unavailable(ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<string>> GetRoomMembersAsync(string room, CancellationToken cancellationToken)
    {
        try
        {
            var names = await Db.HashKeysAsync(Rooms.Members(room)).WaitAsync(cancellationToken).ConfigureAwait(false);
            return [.. names.Select(n => n.ToString()).Order(StringComparer.OrdinalIgnoreCase)];
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            throw Unavailable(ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<RoomCount>> GetRoomCountsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var rows = await Db.SortedSetRangeByRankWithScoresAsync(Rooms.Index).WaitAsync(cancellationToken).ConfigureAwait(false);
            return [.. rows.Where(r => r.Score > 0).Select(r => new RoomCount(r.Element.ToString(), (int)r.Score)).OrderBy(r => r.Room, StringComparer.Ordinal)];
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            throw Unavailable(ex);
        }
    }

    private void OnRoomMessage(string room, ChannelMessage message)
    {
        try
        {
            if (_roomNode is not { } node)
            {
                return;
            }
            var data = (byte[])message.Message!;
            if (data.Length == 0)
            {
                return;
            }
            Interlocked.Increment(ref _roomMessagesReceived);
            if (data[0] == RoomMessageTag)
            {
                var item = data.AsSpan(1);
                var space = item.IndexOf((byte)' ');
                if (space > 0 && TryParseItem(item[(space + 1)..], out var entry))
                {
                    node.DeliverRoomMessage(room, Encoding.ASCII.GetString(item[..space]), entry);
                }
            }
            else if (data[0] == RoomMemberLostTag)
            {
                node.RoomMemberLost(room, Encoding.UTF8.GetString(data.AsSpan(1)));
            }
            else if (data[0] == RoomEventTag && data.Length > 1 + _nodeIdBytes.Length
                && !data.AsSpan(1, _nodeIdBytes.Length).SequenceEqual(_nodeIdBytes))
            {
                node.DeliverRoomEvent(room, data.AsMemory(1 + _nodeIdBytes.Length));
            }
        }
        catch (Exception ex)
        {
            // One bad message must not stop the room's subscription loop.
            _logger.LogError(ex, "Could not handle a message of room {Room}", room);
        }
    }

    /// <summary>Undoes the room presence of a node taken for dead; the nodes still in its rooms announce the leaves.</summary>
    private async Task SweepRoomsAsync(string nodeId)
    {
        var undone = (long)await Db.ScriptEvaluateAsync(RoomScripts.SweepRooms, [Rooms.NodeRecord(nodeId), Rooms.Index], [Rooms.RoomPrefix]).ConfigureAwait(false);
        if (undone > 0)
        {
            _logger.LogWarning("Node {NodeId} is gone; took its members out of {Count} room memberships", nodeId, undone);
        }
    }

    /// <summary>Parses "offset json" as the scripts store and publish it.</summary>
    private static bool TryParseItem(ReadOnlySpan<byte> item, out RoomEntry entry)
    {
        entry = null!;
        var space = item.IndexOf((byte)' ');
        if (space <= 0 || !long.TryParse(Encoding.ASCII.GetString(item[..space]), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return false;
        }
        try
        {
            if (JsonSerializer.Deserialize(item[(space + 1)..], RedisJsonContext.Default.StoredMessage) is not { } stored)
            {
                return false;
            }
            entry = new RoomEntry(stored.Name, stored.Msg, stored.Ts, offset);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>An epoch for a stream that has none yet; the scripts keep the first one made.</summary>
    private static string NewEpoch() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
