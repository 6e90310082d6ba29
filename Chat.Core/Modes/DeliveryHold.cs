using Fleck.Chat.Server;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Modes;

/// <summary>
/// Deliveries to a member that is being welcomed (logging in, or joining a stream), kept back until
/// the member has been sent what must reach it first (its <c>users</c> or <c>joined</c> event and
/// the history), then passed on in the order they came. The one hold of a member, whatever the
/// deliveries are: the chat's broadcasts and private messages, a stream's numbered messages (with
/// their <see cref="StreamMark"/>) and a room's events. The filters given to <see cref="Skip"/>
/// drop held copies the member already has: a join or leave its online list showed
/// (<see cref="PresenceCopies"/>), a numbered message at or below the offset its welcome covered.
/// A held message is counted as a delivery when it is released and sent, not when it is held.
/// More held than the connection may queue (<see cref="IMemberConnection.QueueLimit"/>) means the
/// welcome has stalled (the backplane is not answering): the member is closed with 1013 (try again later).
/// Thread-safety: <see cref="Deliver"/> from any thread; <see cref="Skip"/> and
/// <see cref="Release"/> from the member's own handler, one at a time.
/// </summary>
internal sealed class DeliveryHold(IMemberConnection connection, ChatCounters? counters)
{
    private readonly Lock _lock = new();
    private readonly List<Func<OutgoingMessage, StreamMark?, bool>> _alreadySent = [];
    private List<(OutgoingMessage Message, StreamMark? Mark)>? _held = [];
    private volatile bool _overflowed;

    /// <summary>More piled up than the connection may queue: the member is being closed and gets nothing more.</summary>
    public bool Overflowed => _overflowed;

    /// <summary>
    /// Sends <paramref name="message"/> now if the hold was released, else holds it. True only when it
    /// was sent now, so the caller counts it; a held message is counted by <see cref="Release"/>.
    /// </summary>
    public bool Deliver(OutgoingMessage message, StreamMark? mark)
    {
        lock (_lock)
        {
            if (_held is null)
            {
                // Released meanwhile: sent under the lock, so it cannot overtake the released messages.
                return !_overflowed && connection.Send(message);
            }
            if (_held.Count >= connection.QueueLimit)
            {
                _held = null;
                _overflowed = true;
                _ = connection.CloseAsync(WebSocketCloseCode.TryAgainLater, "Joining took too long", CancellationToken.None);
                return false;
            }
            _held.Add((message, mark));
            return false;
        }
    }

    /// <summary>Held messages for which <paramref name="alreadySent"/> says true are dropped on release.</summary>
    public void Skip(Func<OutgoingMessage, StreamMark?, bool> alreadySent) => _alreadySent.Add(alreadySent);

    /// <summary>Sends what is held, in order and without the copies <see cref="Skip"/> filters out, counting each sent; then delivers directly.</summary>
    public void Release()
    {
        // Filtering may parse messages: it runs outside the lock, so the broadcasts that deliver
        // here never wait for it. What arrives meanwhile is taken in the next round, behind.
        while (true)
        {
            List<(OutgoingMessage Message, StreamMark? Mark)> batch;
            lock (_lock)
            {
                if (_held is not { Count: > 0 } held)
                {
                    _held = null;
                    return;
                }
                batch = held;
                _held = [];
            }
            foreach (var (message, mark) in batch)
            {
                if (!AlreadySent(message, mark) && connection.Send(message))
                {
                    counters?.Delivered(1, message.WireLength);
                }
            }
        }
    }

    private bool AlreadySent(OutgoingMessage message, StreamMark? mark)
    {
        foreach (var alreadySent in _alreadySent)
        {
            if (alreadySent(message, mark))
            {
                return true;
            }
        }
        return false;
    }
}
