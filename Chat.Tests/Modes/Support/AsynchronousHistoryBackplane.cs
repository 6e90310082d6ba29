using Fleck.Chat.Rooms;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Modes.Support;

/// <summary>
/// The in-memory backplane with numbered streams that answer the way a remote store does: appends
/// take about a millisecond (a round trip), reads complete on another thread after the caller moved on.
/// </summary>
internal sealed class AsynchronousHistoryBackplane : ForwardingBackplane
{
    public override async ValueTask<RoomEntry> AppendAsync(string room, string name, string msg, long ts, int capacity, CancellationToken cancellationToken)
    {
        await Task.Delay(1, cancellationToken);
        return await Inner.Streams.AppendAsync(room, name, msg, ts, capacity, cancellationToken);
    }

    public override async ValueTask<RoomStreamState> ReadAsync(string room, int count, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return await Inner.Streams.ReadAsync(room, count, cancellationToken);
    }
}
