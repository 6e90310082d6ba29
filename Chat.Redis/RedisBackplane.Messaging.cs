using System.Net.WebSockets;
using Fleck.Chat.Scaling;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Fleck.Chat.Redis;

/// <summary>Publishing to the other nodes and receiving from them.</summary>
public sealed partial class RedisBackplane
{
    private long _sequence;
    private long _dropped;

    /// <summary>Chat messages this node could not hand to Redis (it was unreachable); they reached local members only.</summary>
    public long DroppedMessages => Interlocked.Read(ref _dropped);

    /// <inheritdoc />
    public void PublishToAll(ReadOnlyMemory<byte> payload, WebSocketMessageType type) =>
        Publish(_keys.Broadcast, Envelope.ForAll(type == WebSocketMessageType.Binary ? Envelope.BinaryToAll : Envelope.ToAll, _nodeIdBytes, NextSequence(), payload.Span));

    /// <inheritdoc />
    public void PublishToMember(string nickname, ReadOnlyMemory<byte> text)
    {
        ArgumentNullException.ThrowIfNull(nickname);
        var suffix = RedisKeys.ClaimSuffix(nickname);
        var envelope = Envelope.ForMember(_nodeIdBytes, NextSequence(), nickname, text.Span);
        if (_owners.TryGetValue(suffix, out var owner))
        {
            RouteTo(owner, envelope);
        }
        else
        {
            // Not looked up just before (the room always does): find the owner first, off the caller's thread.
            _ = RouteAfterLookupAsync(suffix, envelope);
        }
    }

    private ulong NextSequence() => (ulong)Interlocked.Increment(ref _sequence);

    private void RouteTo(string owner, byte[] envelope)
    {
        if (owner != NodeId)
        {
            Publish(_keys.NodeChannel(owner), envelope);
        }
    }

    private async Task RouteAfterLookupAsync(string suffix, byte[] envelope)
    {
        try
        {
            var owner = await Db.StringGetAsync(_keys.Nickname(suffix)).ConfigureAwait(false);
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
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Hands a message to Redis without waiting; while Redis is unreachable it is dropped (fail-fast), never queued for later.</summary>
    private void Publish(RedisChannel channel, byte[] envelope)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }
        try
        {
            if (!_redis.IsConnected)
            {
                Interlocked.Increment(ref _dropped);
                return;
            }
            _redis.GetSubscriber().Publish(channel, envelope, CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private void OnBroadcast(ChannelMessage message)
    {
        try
        {
            var data = (ReadOnlyMemory<byte>)message.Message;
            if (_node is not { } node || !Envelope.TryReadHeader(data.Span, out var kind, out var origin))
            {
                return;
            }
            var fromSelf = origin.SequenceEqual(_nodeIdBytes);
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
                    _seen.Forget(System.Text.Encoding.ASCII.GetString(origin));
                    var lost = Envelope.ReadNames(data.Span);
                    foreach (var name in lost)
                    {
                        _owners.TryRemove(RedisKeys.ClaimSuffix(name), out _);
                    }
                    _logger.LogInformation("Node {NodeId} is gone; its {Count} members left", System.Text.Encoding.ASCII.GetString(origin), lost.Length);
                    node.MembersLost(lost);
                    break;
                case Envelope.Returned when !fromSelf:
                    node.MembersReturned(Envelope.ReadNames(data.Span));
                    break;
                case Envelope.Disconnect when !fromSelf:
                    OnDisconnect(node, data.Span, origin);
                    break;
            }
        }
        catch (Exception ex)
        {
            // One bad message must not stop the subscription loop.
            _logger.LogError(ex, "Could not handle a message from the broadcast channel");
        }
    }

    private void OnOwnChannel(ChannelMessage message)
    {
        try
        {
            var data = (ReadOnlyMemory<byte>)message.Message;
            if (_node is { } node
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
            _logger.LogError(ex, "Could not handle a message from this node's channel");
        }
    }
}
