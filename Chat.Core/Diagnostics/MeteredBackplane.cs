using Fleck.Chat.Scaling;

namespace Fleck.Chat.Diagnostics;

/// <summary>
/// The real backplane with each of its parts metered on the chat's meter: how long each publish
/// took to hand over and which calls found the backplane unavailable. A backplane without streams
/// stays without them, so the server still sees that it has to keep them to itself.
/// </summary>
internal sealed class MeteredBackplane(IChatBackplane inner, ChatMetrics metrics) : IChatBackplane
{
    public IPresence Presence { get; } = new MeteredPresence(inner.Presence, metrics);

    public INodeBus Bus { get; } = new MeteredNodeBus(inner.Bus, metrics);

    public IStreamLog? Streams { get; } = inner.Streams is { } streams ? new MeteredStreamLog(streams, metrics) : null;

    public Task ConnectAsync(IBackplaneNode node, CancellationToken cancellationToken) => inner.ConnectAsync(node, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
