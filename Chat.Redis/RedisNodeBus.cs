using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using Fleck.Chat.Scaling;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Fleck.Chat.Redis;

/// <summary>
/// Publishing to the other nodes and receiving from them, on Redis channels:
/// <list type="bullet">
/// <item>broadcasts (and disconnects, and members lost or returned) on one channel per chat, stamped
/// with the origin node, which ignores its own, and numbered per origin so a repeat is dropped;</item>
/// <item>private messages on the channel of the node that holds the target's nickname claim;</item>
/// <item>one channel per stream, which a node subscribes to only while it has a member there: a
/// room's traffic never reaches a node with nobody in it. The price is one SUBSCRIBE round trip when a
/// node's first member enters and one UNSUBSCRIBE when its last leaves.</item>
/// </list>
/// A message queue per channel runs its handler for one message at a time, in order: messages from
/// one node reach the members in the order they were sent, and a stream's in offset order.
/// </summary>
internal sealed partial class RedisNodeBus(RedisContext context, RedisPresence presence, RedisStreamLog streams) : INodeBus
{
    /// <summary>Marks a numbered message on a stream channel.</summary>
    private const byte StreamMessageTag = (byte)'M';

    /// <summary>Marks a numbered stream message sent by a connection that is told apart on delivery: the origin mark, then as <see cref="StreamMessageTag"/>.</summary>
    private const byte OriginMessageTag = (byte)'O';

    /// <summary>Marks an unnumbered event on a room channel, followed by the origin node id.</summary>
    private const byte RoomEventTag = (byte)'E';

    /// <summary>Marks a member of a dead node leaving the room, followed by its nickname.</summary>
    private const byte RoomMemberLostTag = (byte)'L';

    private readonly DuplicateFilter _seen = new();
    private readonly ConcurrentDictionary<string, ChannelMessageQueue> _roomQueues = new(StringComparer.Ordinal);
    private ChannelMessageQueue? _broadcastQueue;
    private ChannelMessageQueue? _ownQueue;
    private long _sequence;
    private long _roomMessagesReceived;

    private byte[] NodeIdBytes => context.NodeIdBytes;

    /// <summary>Stream messages and room events this node has received from Redis (all streams).</summary>
    public long RoomMessagesReceived => Interlocked.Read(ref _roomMessagesReceived);

    /// <summary>The streams this node is subscribed to right now.</summary>
    public IReadOnlyCollection<string> SubscribedRooms => [.. _roomQueues.Keys];

    /// <summary>Starts listening to the chat's broadcast channel and this node's own.</summary>
    public async Task JoinAsync(CancellationToken cancellationToken)
    {
        _broadcastQueue = await context.SubscribeAsync(context.Keys.Broadcast, cancellationToken).ConfigureAwait(false);
        _broadcastQueue.OnMessage(OnBroadcast);
        _ownQueue = await context.SubscribeAsync(context.Keys.OwnChannel, cancellationToken).ConfigureAwait(false);
        _ownQueue.OnMessage(OnOwnChannel);
    }

    /// <summary>Stops listening to the broadcast channel and this node's own.</summary>
    public async Task LeaveAsync()
    {
        var unsubscribes = new List<Task>();
        if (_broadcastQueue is not null)
        {
            unsubscribes.Add(_broadcastQueue.UnsubscribeAsync());
        }
        if (_ownQueue is not null)
        {
            unsubscribes.Add(_ownQueue.UnsubscribeAsync());
        }
        await Task.WhenAll(unsubscribes).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void PublishToAll(ReadOnlyMemory<byte> payload, WebSocketMessageType type) =>
        context.Publish(context.Keys.Broadcast, Envelope.ForAll(type == WebSocketMessageType.Binary ? Envelope.BinaryToAll : Envelope.ToAll, NodeIdBytes, NextSequence(), payload.Span));

    /// <inheritdoc />
    public void PublishToMember(string nickname, ReadOnlyMemory<byte> text)
    {
        ArgumentNullException.ThrowIfNull(nickname);
        var suffix = RedisKeys.ClaimSuffix(nickname);
        var envelope = Envelope.ForMember(NodeIdBytes, NextSequence(), nickname, text.Span);
        if (presence.TryGetCachedOwner(suffix, out var owner))
        {
            RouteTo(owner, envelope);
        }
        else
        {
            // Not looked up just before (the room always does): find the owner first, off the caller's thread.
            _ = RouteAfterLookupAsync(suffix, envelope);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Goes out on the broadcast channel rather than to the node holding the nickname's claim:
    /// every node closes whatever connections of that user it holds.
    /// </remarks>
    public void PublishDisconnect(string nickname, int closeCode)
    {
        ArgumentNullException.ThrowIfNull(nickname);
        ArgumentOutOfRangeException.ThrowIfLessThan(closeCode, 1000);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(closeCode, 4999);
        context.Publish(context.Keys.Broadcast, Envelope.ForDisconnect(NodeIdBytes, NextSequence(), nickname, closeCode));
    }

    /// <inheritdoc />
    public async ValueTask SubscribeRoomAsync(string room, CancellationToken cancellationToken)
    {
        ChannelMessageQueue queue;
        try
        {
            queue = await context.SubscribeAsync(context.Rooms.Channel(room), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            throw RedisContext.Unavailable(ex);
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
                await streams.TouchAsync(room).ConfigureAwait(false);
            }
            catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
            {
                throw RedisContext.Unavailable(ex);
            }
        }
    }

    /// <inheritdoc />
    public void PublishRoomEvent(string room, ReadOnlyMemory<byte> text)
    {
        var payload = new byte[1 + NodeIdBytes.Length + text.Length];
        payload[0] = RoomEventTag;
        NodeIdBytes.CopyTo(payload, 1);
        text.Span.CopyTo(payload.AsSpan(1 + NodeIdBytes.Length));
        context.Publish(context.Rooms.Channel(room), payload);
    }

    private ulong NextSequence() => (ulong)Interlocked.Increment(ref _sequence);

    private void RouteTo(string owner, byte[] envelope)
    {
        if (owner != context.NodeId)
        {
            context.Publish(context.Keys.NodeChannel(owner), envelope);
        }
    }

    private async Task RouteAfterLookupAsync(string suffix, byte[] envelope)
    {
        try
        {
            var owner = await presence.ExclusiveOwnerAsync(suffix).ConfigureAwait(false);
            if (!owner.IsNull)
            {
                RouteTo(owner.ToString(), envelope);
            }
            else
            {
                // No exclusive holder: an identified user, possibly on several nodes.
                await RouteToSharesAsync(suffix, envelope).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            context.CountDropped();
        }
    }

    /// <summary>Routes a message for a user with shared claims to every other node holding a share.</summary>
    private async Task RouteToSharesAsync(string suffix, byte[] envelope)
    {
        try
        {
            foreach (var holder in await presence.SharedHoldersAsync(suffix, CancellationToken.None).ConfigureAwait(false))
            {
                RouteTo(holder, envelope);
            }
        }
        catch (Exception ex) when (ex is BackplaneUnavailableException)
        {
            context.Logger.LogDebug("A message for a shared name was dropped: {Error}", ex.Message);
            context.CountDropped();
        }
    }

    private void OnBroadcast(ChannelMessage message)
    {
        try
        {
            var data = (ReadOnlyMemory<byte>)message.Message;
            if (context.Node is not { } node || !Envelope.TryReadHeader(data.Span, out var kind, out var origin))
            {
                return;
            }
            var fromSelf = origin.SequenceEqual(NodeIdBytes);
            switch (kind)
            {
                case Envelope.ToAll or Envelope.BinaryToAll when !fromSelf:
                    if (Envelope.TryReadForAll(data, out var sequence, out var payload) && _seen.IsFirst(origin, sequence))
                    {
                        node.DeliverToAll(payload, kind == Envelope.BinaryToAll ? WebSocketMessageType.Binary : WebSocketMessageType.Text);
                    }
                    break;
                case Envelope.Lost when !fromSelf:
                    // The origin of a lost-members message is the node that is gone.
                    _seen.Forget(Encoding.ASCII.GetString(origin));
                    var lost = Envelope.ReadNames(data.Span);
                    foreach (var name in lost)
                    {
                        presence.ForgetOwner(RedisKeys.ClaimSuffix(name));
                    }
                    context.Logger.LogInformation("Node {NodeId} is gone; its {Count} members left", Encoding.ASCII.GetString(origin), lost.Length);
                    node.MembersLost(lost);
                    break;
                case Envelope.Returned when !fromSelf:
                    node.MembersReturned(Envelope.ReadNames(data.Span));
                    break;
                case Envelope.Disconnect when !fromSelf:
                    OnDisconnect(node, data.Span, origin);
                    break;
                case Envelope.UserSignal when !fromSelf:
                    OnUserSignal(node, data, origin);
                    break;
            }
        }
        catch (Exception ex)
        {
            // One bad message must not stop the subscription loop.
            context.Logger.LogError(ex, "Could not handle a message from the broadcast channel");
        }
    }

    private void OnDisconnect(IBackplaneNode node, ReadOnlySpan<byte> data, ReadOnlySpan<byte> origin)
    {
        if (Envelope.TryReadDisconnect(data, out var sequence, out var nickname, out var closeCode) && _seen.IsFirst(origin, sequence))
        {
            node.DisconnectMember(nickname, closeCode);
        }
    }

    private void OnOwnChannel(ChannelMessage message)
    {
        try
        {
            var data = (ReadOnlyMemory<byte>)message.Message;
            if (context.Node is { } node
                && Envelope.TryReadHeader(data.Span, out var kind, out var origin)
                && kind == Envelope.ToMember
                && Envelope.TryReadForMember(data, out var sequence, out var nickname, out var text)
                && _seen.IsFirst(origin, sequence))
            {
                node.DeliverToMember(nickname, text);
            }
        }
        catch (Exception ex)
        {
            context.Logger.LogError(ex, "Could not handle a message from this node's channel");
        }
    }

    private void OnRoomMessage(string room, ChannelMessage message)
    {
        try
        {
            if (context.Node is not { } node)
            {
                return;
            }
            var data = (byte[])message.Message!;
            if (data.Length == 0)
            {
                return;
            }
            Interlocked.Increment(ref _roomMessagesReceived);
            if (data[0] is StreamMessageTag or OriginMessageTag)
            {
                var item = data.AsSpan(1);
                long origin = 0;
                if (data[0] == OriginMessageTag)
                {
                    var end = item.IndexOf((byte)' ');
                    if (end <= 0 || !long.TryParse(item[..end], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out origin))
                    {
                        return;
                    }
                    item = item[(end + 1)..];
                }
                var space = item.IndexOf((byte)' ');
                if (space > 0 && StreamItem.TryParse(item[(space + 1)..], out var entry))
                {
                    node.DeliverStreamMessage(room, Encoding.ASCII.GetString(item[..space]), origin == 0 ? entry : entry with { Origin = origin });
                }
            }
            else if (data[0] == StreamSignalTag)
            {
                OnStreamSignal(node, room, data);
            }
            else if (data[0] == RoomMemberLostTag)
            {
                node.RoomMemberLost(room, Encoding.UTF8.GetString(data.AsSpan(1)));
            }
            else if (data[0] == RoomEventTag && data.Length > 1 + NodeIdBytes.Length
                && !data.AsSpan(1, NodeIdBytes.Length).SequenceEqual(NodeIdBytes))
            {
                node.DeliverRoomEvent(room, data.AsMemory(1 + NodeIdBytes.Length));
            }
        }
        catch (Exception ex)
        {
            // One bad message must not stop the room's subscription loop.
            context.Logger.LogError(ex, "Could not handle a message of room {Room}", room);
        }
    }
}
