namespace Fleck.Chat.Client.Sending;

/// <summary>A history request waiting for its page.</summary>
internal sealed record PageRequest(string? Room, byte[] Command) : IResendable
{
    public TaskCompletionSource<HistoryPage> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <inheritdoc/>
    public long SentOn { get; set; }

    /// <summary>True once answered. A request whose caller stopped waiting is still re-sent: its page keeps the order.</summary>
    public bool Settled => Done.Task.IsCompleted;
}

/// <summary>
/// History requests in the order they were sent. The server answers one connection's commands in
/// order, so each <c>page</c> belongs to the oldest request waiting (first in, first out). A request
/// whose caller gave up stays in the queue until its page comes, so later pages still match.
/// Requests unanswered when a connection drops are sent again, in order, on the next one.
/// Thread-safety: every member may be called from any thread.
/// </summary>
internal sealed class PageRequests
{
    private readonly LinkedList<PageRequest> _waiting = new();

    public PageRequest Add(string? room, byte[] command)
    {
        var request = new PageRequest(room, command);
        lock (_waiting)
        {
            _waiting.AddLast(request);
        }
        return request;
    }

    public List<PageRequest> Snapshot()
    {
        lock (_waiting)
        {
            return [.. _waiting];
        }
    }

    /// <summary>A page arrived: it answers the oldest request.</summary>
    public void Answer(HistoryPage page) => TakeOldest(_ => true)?.Done.TrySetResult(page);

    /// <summary>An error arrived that the oldest request may have caused; fails it when <paramref name="causedBy"/> says so.</summary>
    public bool Fail(Func<PageRequest, bool> causedBy, Exception error)
    {
        if (TakeOldest(causedBy) is not { } request)
        {
            return false;
        }
        request.Done.TrySetException(error);
        return true;
    }

    public void FailAll(Exception error)
    {
        while (TakeOldest(_ => true) is { } request)
        {
            request.Done.TrySetException(error);
        }
    }

    private PageRequest? TakeOldest(Func<PageRequest, bool> matches)
    {
        lock (_waiting)
        {
            if (_waiting.First is not { } first || !matches(first.Value))
            {
                return null;
            }
            _waiting.RemoveFirst();
            return first.Value;
        }
    }
}
