using Fleck.Chat.Modes;
using Fleck.Chat.Server;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Rooms;

/// <summary>
/// One room's members on this node. A joining member first waits as "pending": the room's traffic
/// for it is held until its welcome (joined, history) is out, then released without what the
/// welcome already covered. Delivery and that hand-over take one lock, so no message can slip
/// between them; sends never block, so the lock is held for one pass over the room's members.
/// Thread-safety: all members may be called concurrently; <see cref="Gate"/> orders joins and leaves
/// with the backplane subscription, the lock orders deliveries with the member set.
/// </summary>
internal sealed class LocalRoom(string name, ChatCounters counters)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ChatMember, Seat> _seats = new(ReferenceEqualityComparer.Instance);
    private Seat[]? _active = [];
    private int _pending;

    public string Name { get; } = name;

    /// <summary>Held while members are added or removed together with the backplane subscription.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Whether this node listens to the room's channel. Changed under <see cref="Gate"/>.</summary>
    public bool Subscribed { get; set; }

    /// <summary>The room emptied and was dropped from the directory; a joiner must make a new one. Changed under <see cref="Gate"/>.</summary>
    public bool Retired { get; set; }

    public bool IsEmpty
    {
        get
        {
            lock (_lock)
            {
                return _seats.Count == 0;
            }
        }
    }

    public void AddPending(ChatMember member)
    {
        lock (_lock)
        {
            _seats[member] = new Seat(member) { Held = [] };
            _pending++;
        }
    }

    /// <summary>
    /// Runs <paramref name="welcome"/>, then releases what was held for the member except messages at
    /// or below <paramref name="floor"/> (the welcome's history covers those), and from now on delivers live.
    /// </summary>
    public void Activate(ChatMember member, long floor, Action welcome)
    {
        lock (_lock)
        {
            if (!_seats.TryGetValue(member, out var seat) || seat.Held is not { } held)
            {
                return;
            }
            welcome();
            foreach (var (offset, message) in held)
            {
                if (offset == 0 || offset > floor)
                {
                    member.Send(message);
                }
            }
            seat.Held = null;
            seat.Floor = floor;
            _pending--;
            _active = null;
        }
    }

    public bool Remove(ChatMember member)
    {
        lock (_lock)
        {
            if (!_seats.Remove(member, out var seat))
            {
                return false;
            }
            if (seat.Held is null)
            {
                _active = null;
            }
            else
            {
                _pending--;
            }
            return true;
        }
    }

    /// <summary>A numbered message: to every active member that has not had it in its welcome.</summary>
    public void DeliverNumbered(OutgoingMessage message, long offset) => Deliver(message, offset, except: null);

    /// <summary>An unnumbered event (join, leave): to every member but <paramref name="except"/>.</summary>
    public void DeliverEvent(OutgoingMessage message, ChatMember? except) => Deliver(message, 0, except);

    private void Deliver(OutgoingMessage message, long offset, ChatMember? except)
    {
        var sent = 0;
        lock (_lock)
        {
            foreach (var seat in _active ??= [.. _seats.Values.Where(s => s.Held is null)])
            {
                if (seat.Member != except && (offset == 0 || offset > seat.Floor) && seat.Member.Send(message))
                {
                    sent++;
                }
            }
            if (_pending > 0)
            {
                foreach (var seat in _seats.Values)
                {
                    if (seat.Held is { } held && seat.Member != except)
                    {
                        held.Add((offset, message));
                    }
                }
            }
        }
        counters.Delivered(sent, (long)sent * message.WireLength);
    }

    private sealed class Seat(ChatMember member)
    {
        public ChatMember Member { get; } = member;

        /// <summary>Offset of the last message the member's welcome covered.</summary>
        public long Floor { get; set; }

        /// <summary>Traffic held while the member waits for its welcome; null once it is live.</summary>
        public List<(long Offset, OutgoingMessage Message)>? Held { get; set; }
    }
}
