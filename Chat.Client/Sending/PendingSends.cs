namespace Fleck.Chat.Client.Sending;

/// <summary>A send not yet acknowledged: its id, the exact command (re-sent unchanged, same id) and its task.</summary>
internal sealed class PendingSend : IResendable
{
    public PendingSend(string id, byte[] command)
    {
        Id = id;
        Command = command;
    }

    public string Id { get; }

    public byte[] Command { get; }

    public TaskCompletionSource<SendResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <inheritdoc/>
    public long SentOn { get; set; }

    /// <inheritdoc/>
    public bool Settled => Done.Task.IsCompleted;

    internal CancellationTokenSource? Deadline { get; set; }

    internal CancellationTokenRegistration Cancellation { get; set; }
}

/// <summary>
/// The sends waiting for their ack, in the order they were made: after a reconnect they go out again
/// in that order, with the same ids, so the server numbers each once. A send is settled exactly once:
/// by its ack, by an error carrying its id, by <c>SendTimeout</c>, by its caller's cancellation, or
/// by the client closing.
/// Thread-safety: every member may be called from any thread.
/// </summary>
internal sealed class PendingSends
{
    private readonly OrderedDictionary<string, PendingSend> _pending = new(StringComparer.Ordinal);

    /// <summary>Adds a send that fails with <see cref="TimeoutException"/> after <paramref name="timeout"/> and is cancelled with <paramref name="ct"/>.</summary>
    public PendingSend Add(string id, byte[] command, TimeSpan timeout, CancellationToken ct)
    {
        var send = new PendingSend(id, command);
        lock (_pending)
        {
            _pending.Add(id, send);
        }
        var deadline = new CancellationTokenSource(timeout);
        send.Deadline = deadline;
        deadline.Token.Register(() => Settle(id, s => s.Done.TrySetException(new TimeoutException(
            $"The send {id} was not acknowledged within {timeout}; it is no longer re-sent."))));
        send.Cancellation = ct.Register(() => Settle(id, s => s.Done.TrySetCanceled(ct)));
        return send;
    }

    /// <summary>The sends still waiting, oldest first.</summary>
    public List<PendingSend> Snapshot()
    {
        lock (_pending)
        {
            return [.. _pending.Values];
        }
    }

    /// <summary>Settles the send <paramref name="id"/> with its ack; an unknown id (settled already) is ignored.</summary>
    public void Acknowledge(string id, SendResult result) => Settle(id, s => s.Done.TrySetResult(result));

    /// <summary>Fails the send <paramref name="id"/>; false when no such send waits.</summary>
    public bool Fail(string id, Exception error) => Settle(id, s => s.Done.TrySetException(error));

    /// <summary>Fails every waiting send (the client closed).</summary>
    public void FailAll(Exception error)
    {
        foreach (var send in Snapshot())
        {
            Fail(send.Id, error);
        }
    }

    private bool Settle(string id, Action<PendingSend> settle)
    {
        PendingSend? send;
        lock (_pending)
        {
            if (!_pending.Remove(id, out send))
            {
                return false;
            }
        }
        settle(send);
        send.Deadline?.Dispose();
        send.Cancellation.Dispose();
        return true;
    }
}
