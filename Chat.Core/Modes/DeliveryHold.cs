using Fleck.Chat.Server;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Modes;

/// <summary>
/// Room deliveries to a member that is being admitted, kept back until the member has been sent
/// what must reach it first (its <c>users</c> event, the history), then passed on in the order
/// they came. The filters given to <see cref="Skip"/> drop held copies the member already has: a
/// join or leave that its online list already showed (<see cref="PresenceCopies"/>) is not repeated
/// after the list. A held message is counted as a delivery when it is released and sent, not when
/// it is held: it may still be dropped then. More held than a connection may queue closes the
/// member with 1013 (try again later).
/// Thread-safety: <see cref="Deliver"/> from any thread; <see cref="Skip"/> and
/// <see cref="Release"/> from the member's own handler, one at a time.
/// </summary>
internal sealed class DeliveryHold(IMemberConnection connection, ChatCounters? counters)
{
    /// <summary>
    /// The transport's default send-queue bound: a join that piles up more than a connection may
    /// queue has stalled (the backplane is not answering), and the member is asked to come back.
    /// </summary>
    private const int MaxHeld = 4096;

    private readonly Lock _lock = new();
    private readonly List<Func<OutgoingMessage, bool>> _alreadySent = [];
    private List<OutgoingMessage>? _held = [];
    private bool _overflowed;

    /// <summary>
    /// Sends <paramref name="message"/> now if the hold was released, else holds it. True only when it
    /// was sent now, so the caller counts it; a held message is counted by <see cref="Release"/>.
    /// </summary>
    public bool Deliver(OutgoingMessage message)
    {
        lock (_lock)
        {
            if (_held is null)
            {
                // Released meanwhile: sent under the lock, so it cannot overtake the released messages.
                return !_overflowed && connection.Send(message);
            }
            if (_held.Count >= MaxHeld)
            {
                _held = null;
                _overflowed = true;
                _ = connection.CloseAsync(WebSocketCloseCode.TryAgainLater, "Joining took too long", CancellationToken.None);
                return false;
            }
            _held.Add(message);
            return false;
        }
    }

    /// <summary>Held messages for which <paramref name="alreadySent"/> says true are dropped on release.</summary>
    public void Skip(Func<OutgoingMessage, bool> alreadySent) => _alreadySent.Add(alreadySent);

    /// <summary>Sends what is held, in order and without the copies <see cref="Skip"/> filters out, counting each sent; then delivers directly.</summary>
    public void Release()
    {
        // Filtering may parse messages: it runs outside the lock, so the broadcasts that deliver
        // here never wait for it. What arrives meanwhile is taken in the next round, behind.
        while (true)
        {
            List<OutgoingMessage> batch;
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
            foreach (var message in batch)
            {
                if (!AlreadySent(message) && connection.Send(message))
                {
                    counters?.Delivered(1, message.WireLength);
                }
            }
        }
    }

    private bool AlreadySent(OutgoingMessage message)
    {
        foreach (var alreadySent in _alreadySent)
        {
            if (alreadySent(message))
            {
                return true;
            }
        }
        return false;
    }
}
