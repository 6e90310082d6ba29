using System.Net.WebSockets;
using Fleck.Chat.Scaling;

namespace Fleck.Chat.Diagnostics;

/// <summary>
/// Times how long each publish took to hand over, and counts the subscriptions that found the
/// backplane unavailable.
/// </summary>
internal sealed class MeteredNodeBus(INodeBus inner, ChatMetrics metrics) : INodeBus
{
    public void PublishToAll(ReadOnlyMemory<byte> payload, WebSocketMessageType type)
    {
        var start = metrics.PublishStarting();
        inner.PublishToAll(payload, type);
        metrics.BackplanePublished(start);
    }

    public void PublishToMember(string nickname, ReadOnlyMemory<byte> text)
    {
        var start = metrics.PublishStarting();
        inner.PublishToMember(nickname, text);
        metrics.BackplanePublished(start);
    }

    public void PublishDisconnect(string nickname, int closeCode) => inner.PublishDisconnect(nickname, closeCode);

    public ValueTask SubscribeRoomAsync(string room, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.SubscribeRoomAsync(room, cancellationToken), metrics, "subscribe");

    public ValueTask UnsubscribeRoomAsync(string room) =>
        MeteredCall.CountingFailureAsync(inner.UnsubscribeRoomAsync(room), metrics, "unsubscribe");

    public void PublishRoomEvent(string room, ReadOnlyMemory<byte> text)
    {
        var start = metrics.PublishStarting();
        inner.PublishRoomEvent(room, text);
        metrics.BackplanePublished(start);
    }

    public void PublishSignal(SignalScope scope, string name, string? exceptUser, ReadOnlyMemory<byte> text) =>
        inner.PublishSignal(scope, name, exceptUser, text);
}
