using System.Net.WebSockets;

namespace Fleck.Chat.Scaling;

/// <summary>
/// One node's publishing to the other nodes of an in-memory cluster: each publish is a direct call
/// on every other node, so with one node it does nothing at all.
/// </summary>
internal sealed class InMemoryNodeBus(InMemoryCluster cluster) : INodeBus
{
    private IBackplaneNode? _node;

    private IBackplaneNode Node => _node ?? throw new InvalidOperationException("The backplane has no node yet: ConnectAsync was not called.");

    /// <summary>Where this node's traffic goes; set before the node joins the cluster.</summary>
    public void Attach(IBackplaneNode node) => _node = node ?? throw new ArgumentNullException(nameof(node));

    /// <summary>The node is one of the cluster's from now on: the others' publishes reach it.</summary>
    public void Join()
    {
        lock (cluster.Nodes)
        {
            cluster.Nodes.Add(Node);
        }
    }

    /// <summary>The node leaves the cluster: the others' publishes no longer reach it.</summary>
    public void Leave()
    {
        lock (cluster.Nodes)
        {
            cluster.Nodes.Remove(Node);
        }
    }

    /// <summary>Tells the other nodes that <paramref name="gone"/> left with this one.</summary>
    public void AnnounceLost(IReadOnlyCollection<string> gone)
    {
        if (gone.Count > 0)
        {
            foreach (var other in OtherNodes())
            {
                other.MembersLost(gone);
            }
        }
    }

    /// <inheritdoc />
    public void PublishToAll(ReadOnlyMemory<byte> payload, WebSocketMessageType type)
    {
        foreach (var other in OtherNodes())
        {
            other.DeliverToAll(payload, type);
        }
    }

    /// <inheritdoc />
    public void PublishToMember(string nickname, ReadOnlyMemory<byte> text)
    {
        foreach (var other in OtherNodes())
        {
            other.DeliverToMember(nickname, text);
        }
    }

    /// <inheritdoc />
    public void PublishDisconnect(string nickname, int closeCode)
    {
        foreach (var other in OtherNodes())
        {
            other.DisconnectMember(nickname, closeCode);
        }
    }

    /// <inheritdoc />
    public ValueTask SubscribeRoomAsync(string room, CancellationToken cancellationToken)
    {
        cluster.Streams.Subscribe(room, Node);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask UnsubscribeRoomAsync(string room)
    {
        cluster.Streams.Unsubscribe(room, Node);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public void PublishRoomEvent(string room, ReadOnlyMemory<byte> text) => cluster.Streams.PublishEvent(room, Node, text);

    /// <inheritdoc />
    public void PublishSignal(SignalScope scope, string name, string? exceptUser, ReadOnlyMemory<byte> text)
    {
        if (scope == SignalScope.Stream)
        {
            cluster.Streams.PublishSignal(name, Node, exceptUser, text);
            return;
        }
        foreach (var other in OtherNodes())
        {
            other.DeliverSignal(scope, name, exceptUser, text);
        }
    }

    private IBackplaneNode[] OtherNodes()
    {
        var nodes = cluster.Nodes;
        if (nodes.Count <= 1)
        {
            // The common single-node case: nothing to forward, and no allocation on the send path.
            return [];
        }
        lock (nodes)
        {
            return [.. nodes.Where(n => n != _node)];
        }
    }
}
