using System.Collections.Concurrent;
using Fleck.Chat.Protocol;
using Fleck.Chat.Scaling;
using Fleck.Chat.Server;

namespace Fleck.Chat.Modes;

/// <summary>What one send with an id came to: its ack (null when it failed with an error), and whether it was a duplicate.</summary>
internal readonly record struct SendOutcome(SentMessage? Sent, bool Duplicate = false)
{
    public static SendOutcome Failed => default;
}

/// <summary>
/// Sends with an id, once per user and id: the first is handled, a re-send within the dedup window
/// gets the first one's ack with <c>duplicate</c>. What was sent is remembered by the stream log
/// (<see cref="IStreamLog.FindSentAsync"/>, shared by every node, kept across a restart with a store);
/// this node only keeps the sends still being handled, so a re-send that arrives meanwhile waits for
/// the first instead of racing it. A send that fails leaves nothing behind: its id is not used up.
/// Thread-safety: all members may be called concurrently.
/// </summary>
/// <remarks><paramref name="retain"/>: the messages each stream keeps.</remarks>
internal sealed class AckedSends(IStreamLog log, ChatCounters counters, int retain)
{
    private readonly ConcurrentDictionary<(string User, string Id), Task<SentMessage?>> _inFlight = new();

    public IStreamLog Log => log;

    /// <summary>Numbers a send with an id (deduplicated by the log, atomically with the numbering), keeping what streams keep.</summary>
    public ValueTask<StreamAppendResult> AppendAsync(StreamAppend append, CancellationToken cancellationToken) =>
        log.AppendAsync(append with { Capacity = retain }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="send"/> unless the user's id was sent already (or is being sent: then
    /// waits for it), and acks the sender. <paramref name="send"/> reports its own errors (with the
    /// id) and returns <see cref="SendOutcome.Failed"/> for them. Throws what the stream log throws
    /// (<see cref="BackplaneUnavailableException"/>), after which the id is not used up either.
    /// <para>
    /// <paramref name="appendsAtOnce"/>: <paramref name="send"/> goes straight to a numbered append,
    /// which finds an earlier send of the id by itself in the same step (<see cref="StreamAppendResult.Duplicate"/>),
    /// so the log is not asked first. Otherwise it is, so that a re-send whose first try got through
    /// gets its ack even where a check before the append (membership, the target) would now refuse it.
    /// With a shared store that question is a round trip of its own before every send.
    /// </para>
    /// </summary>
    public async ValueTask SendAsync(ChatMember member, string user, string id, string? room, Func<ValueTask<SendOutcome>> send, CancellationToken cancellationToken, bool appendsAtOnce = false)
    {
        var key = (user, id);
        while (true)
        {
            var mine = new TaskCompletionSource<SentMessage?>(TaskCreationOptions.RunContinuationsAsynchronously);
            var running = _inFlight.GetOrAdd(key, mine.Task);
            if (running != mine.Task)
            {
                if (await running.WaitAsync(cancellationToken).ConfigureAwait(false) is { } first)
                {
                    Ack(member, id, room, first, duplicate: true);
                    return;
                }
                // The first failed and left its id free: this one is a send of its own.
                continue;
            }
            SentMessage? sent = null;
            try
            {
                if (!appendsAtOnce && await log.FindSentAsync(user, id, cancellationToken).ConfigureAwait(false) is { } earlier)
                {
                    sent = earlier;
                    Ack(member, id, room, earlier, duplicate: true);
                    return;
                }
                var outcome = await send().ConfigureAwait(false);
                sent = outcome.Sent;
                if (sent is not null)
                {
                    Ack(member, id, room, sent, outcome.Duplicate);
                }
                return;
            }
            finally
            {
                // Out of the table first: a waiter woken by a failure must find the id free, not this entry again.
                _inFlight.TryRemove(new KeyValuePair<(string, string), Task<SentMessage?>>(key, mine.Task));
                mine.SetResult(sent);
            }
        }
    }

    private void Ack(ChatMember member, string id, string? room, SentMessage sent, bool duplicate)
    {
        counters.Acked(duplicate);
        member.Send(ChatEvents.Ack(id, sent.Offset, room, duplicate));
    }
}
