using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;

namespace Fleck.Chat.Tests.Support;

/// <summary>
/// The in-memory backplane whose numbered streams can be switched off: while <see cref="Down"/> is
/// set, an append fails as a Redis backplane's does when Redis is gone, and nothing is numbered.
/// </summary>
internal sealed class StreamOutageBackplane : ForwardingBackplane
{
    private volatile bool _down;

    public bool Down
    {
        get => _down;
        set => _down = value;
    }

    public override ValueTask<RoomEntry> AppendAsync(string room, string name, string msg, long ts, int capacity, CancellationToken cancellationToken) =>
        _down
            ? ValueTask.FromException<RoomEntry>(new BackplaneUnavailableException("The streams are switched off for this test."))
            : Inner.Streams.AppendAsync(room, name, msg, ts, capacity, cancellationToken);
}
