using Fleck.Chat.Rooms;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Modes.Support;

/// <summary>
/// The in-memory backplane with gates in its numbered streams (the chat of nick-broadcast, rooms), so
/// a test can stop an append or a read half-way and run something else in the gap: a deterministic
/// stand-in for a slow remote store.
/// A closed gate stops the next call that reaches it, reports so, and lets it go when the test opens it.
/// </summary>
internal sealed class GatedHistoryBackplane : ForwardingBackplane
{
    /// <summary>Appends wait here before the message is numbered (and recorded and fanned out).</summary>
    public Gate BeforeAppend { get; } = new();

    /// <summary>Reads wait here before the stream (offset and history) is read.</summary>
    public Gate BeforeRead { get; } = new();

    /// <summary>Reads wait here after the stream was read, before it is returned.</summary>
    public Gate AfterRead { get; } = new();

    /// <summary>A node's unsubscribe from a stream waits here before it reaches the shared store.</summary>
    public Gate BeforeUnsubscribe { get; } = new();

    public override async ValueTask UnsubscribeRoomAsync(string room)
    {
        await BeforeUnsubscribe.PassAsync();
        await Inner.Bus.UnsubscribeRoomAsync(room);
    }

    public override async ValueTask<RoomEntry> AppendAsync(string room, string name, string msg, long ts, int capacity, CancellationToken cancellationToken)
    {
        await BeforeAppend.PassAsync();
        return await Inner.Streams.AppendAsync(room, name, msg, ts, capacity, cancellationToken);
    }

    public override async ValueTask<RoomStreamState> ReadAsync(string room, int count, CancellationToken cancellationToken)
    {
        await BeforeRead.PassAsync();
        var state = await Inner.Streams.ReadAsync(room, count, cancellationToken);
        await AfterRead.PassAsync();
        return state;
    }

    /// <summary>Open until <see cref="Close"/>; then the next caller (only that one) stops there, and <see cref="Reached"/> completes.</summary>
    internal sealed class Gate
    {
        private TaskCompletionSource? _armed;
        private TaskCompletionSource? _stopped;
        private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reached => _reached.Task;

        public void Close()
        {
            _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _armed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        public void Open()
        {
            Interlocked.Exchange(ref _armed, null);
            Volatile.Read(ref _stopped)?.TrySetResult();
        }

        public Task PassAsync()
        {
            if (Interlocked.Exchange(ref _armed, null) is not { } gate)
            {
                return Task.CompletedTask;
            }
            Volatile.Write(ref _stopped, gate);
            _reached.TrySetResult();
            return gate.Task;
        }
    }
}
