namespace Fleck.Chat.Client.Sending;

/// <summary>
/// Calls waiting for something to happen to a room (<c>joined</c>, <c>left</c>), settled when the
/// server's event for that room arrives or an error names the room.
/// Thread-safety: every member may be called from any thread.
/// </summary>
internal sealed class RoomWaiters
{
    private readonly Dictionary<string, List<TaskCompletionSource>> _waiting = new(StringComparer.Ordinal);

    public Task Add(string room, CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiting)
        {
            if (!_waiting.TryGetValue(room, out var list))
            {
                _waiting[room] = list = [];
            }
            list.Add(done);
        }
        return done.Task.WaitAsync(ct);
    }

    public void Complete(string room) => Settle(room, d => d.TrySetResult());

    public bool Fail(string room, Exception error) => Settle(room, d => d.TrySetException(error));

    public void FailAll(Exception error)
    {
        List<string> rooms;
        lock (_waiting)
        {
            rooms = [.. _waiting.Keys];
        }
        foreach (var room in rooms)
        {
            Fail(room, error);
        }
    }

    private bool Settle(string room, Action<TaskCompletionSource> settle)
    {
        List<TaskCompletionSource>? list;
        lock (_waiting)
        {
            if (!_waiting.Remove(room, out list))
            {
                return false;
            }
        }
        list.ForEach(settle);
        return true;
    }
}
