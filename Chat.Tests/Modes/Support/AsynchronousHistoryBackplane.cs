using Fleck.Chat.Protocol;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Modes.Support;

/// <summary>
/// The in-memory backplane with a history that answers the way a remote store does: appends take
/// about a millisecond (a round trip), reads complete on another thread after the caller moved on.
/// </summary>
internal sealed class AsynchronousHistoryBackplane : ForwardingBackplane
{
    public override async ValueTask AppendHistoryAsync(ChatHistoryEntry entry, int capacity)
    {
        await Task.Delay(1);
        await Inner.AppendHistoryAsync(entry, capacity);
    }

    public override async ValueTask<IReadOnlyList<ChatHistoryEntry>> GetHistoryAsync(int count, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return await Inner.GetHistoryAsync(count, cancellationToken);
    }
}
