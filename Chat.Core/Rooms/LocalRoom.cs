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
    /// <summary>
    /// The transport's default send-queue bound: a join that piles up more than a connection may
    /// queue has stalled (the backplane is not answering), and the member is asked to come back.
    /// </summary>
    private const int MaxHeld = 4096;

    private readonly Lock _lock = new();
    private readonly Dictionary<ChatMember, Seat> _seats = new(ReferenceEqualityComparer.Instance);
    // Live members in the order they went live. The seats' dictionary reuses the slots of members
    // who left, so its own order would put a newcomer anywhere; in this order each member keeps its
    // place in every fan-out, and those who came first are written to first, as in a broadcast.
    private readonly List<Seat> _live = [];
    // The live members as a plain array (null after a change), and the highest floor among them: a
    // message above it is new to everyone, so the fan-out walks members as a broadcast does, without
    // a seat to load and test for each. A member's floor is set once, when it goes live.
    private ChatMember[]? _fanout = [];
    private Seat[] _fanoutSeats = [];
    private long _highestFloor;
    // Only the joiners still waiting for their welcome: a delivery holds for these few, not for a
    // walk over every seat while anyone joins.
    private readonly List<Seat> _pending = [];

    public string Name { get; } = name;

    /// <summary>Held while members are added or removed together with the backplane subscription.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Whether this node listens to the room's channel. Changed under <see cref="Gate"/>.</summary>
    public bool Subscribed { get; set; }

    /// <summary>The room emptied and is dropped from the directory before its gate opens again; a joiner must make a new one. Changed under <see cref="Gate"/>.</summary>
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
            var seat = new Seat(member) { Held = [] };
            _seats[member] = seat;
            _pending.Add(seat);
        }
    }

    /// <summary>
    /// Runs <paramref name="welcome"/>, then releases what was held for the member except messages of
    /// <paramref name="epoch"/> at or below <paramref name="floor"/> (the welcome covered those), and
    /// from now on delivers live. False, with nothing sent, when the member is not waiting here (it
    /// left, or more piled up than it may queue and it is being closed): it is not in the room.
    /// </summary>
    public bool Activate(ChatMember member, string epoch, long floor, Action welcome)
    {
        lock (_lock)
        {
            if (!_seats.TryGetValue(member, out var seat) || seat.Held is not { } held || seat.Overflowed)
            {
                return false;
            }
            welcome();
            seat.Epoch = epoch;
            seat.Floor = floor;
            foreach (var (heldEpoch, offset, message) in held)
            {
                // Counted here, as a live delivery is: it was not counted when it was held.
                if (seat.IsNew(heldEpoch, offset) && member.Send(message))
                {
                    counters.Delivered(1, message.WireLength);
                }
            }
            seat.Held = null;
            _live.Add(seat);
            _pending.Remove(seat);
            _fanout = null;
            return true;
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
                _live.Remove(seat);
                _fanout = null;
            }
            else
            {
                _pending.Remove(seat);
            }
            return true;
        }
    }

    /// <summary>A numbered message: to every active member that has not had it in its welcome.</summary>
    public void DeliverNumbered(OutgoingMessage message, string epoch, long offset) => Deliver(message, epoch, offset, except: null);

    /// <summary>An unnumbered event (join, leave): to every member but <paramref name="except"/>.</summary>
    public void DeliverEvent(OutgoingMessage message, ChatMember? except) => Deliver(message, null, 0, except);

    private void Deliver(OutgoingMessage message, string? epoch, long offset, ChatMember? except)
    {
        var sent = 0;
        lock (_lock)
        {
            var members = _fanout ??= FanoutLocked();
            if (epoch is null || offset > _highestFloor)
            {
                foreach (var member in members)
                {
                    if (member != except && member.Send(message))
                    {
                        sent++;
                    }
                }
            }
            else
            {
                // The seats as they were when the fan-out was built: a send that cuts a slow reader
                // may take it out of the room while this walk is still going.
                foreach (var seat in _fanoutSeats)
                {
                    if (seat.Member != except && seat.IsNew(epoch, offset) && seat.Member.Send(message))
                    {
                        sent++;
                    }
                }
            }
            List<Seat>? overflowed = null;
            foreach (var seat in _pending)
            {
                if (seat.Held is { } held && seat.Member != except && !seat.Overflowed)
                {
                    if (held.Count >= MaxHeld)
                    {
                        seat.Overflowed = true;
                        held.Clear();
                        (overflowed ??= []).Add(seat);
                        continue;
                    }
                    held.Add((epoch, offset, message));
                }
            }
            // After the walk: closing may take the member out of the room, and out of the list walked.
            if (overflowed is not null)
            {
                foreach (var seat in overflowed)
                {
                    _ = seat.Member.CloseAsync(WebSocketCloseCode.TryAgainLater, "Joining took too long");
                }
            }
        }
        counters.Delivered(sent, (long)sent * message.WireLength);
    }

    private ChatMember[] FanoutLocked()
    {
        var seats = _live.ToArray();
        var members = new ChatMember[seats.Length];
        var highest = long.MinValue;
        for (var i = 0; i < seats.Length; i++)
        {
            members[i] = seats[i].Member;
            highest = Math.Max(highest, seats[i].Floor);
        }
        _fanoutSeats = seats;
        _highestFloor = highest;
        return members;
    }

    private sealed class Seat(ChatMember member)
    {
        public ChatMember Member { get; } = member;

        /// <summary>Offset of the last message the member's welcome covered, in <see cref="Epoch"/>.</summary>
        public long Floor { get; set; }

        /// <summary>The stream's epoch when the member's welcome was read.</summary>
        public string? Epoch { get; set; }

        /// <summary>More was held than a connection may queue: the member is being closed and gets nothing more.</summary>
        public bool Overflowed { get; set; }

        /// <summary>Traffic held while the member waits for its welcome; null once it is live.</summary>
        public List<(string? Epoch, long Offset, OutgoingMessage Message)>? Held { get; set; }

        /// <summary>
        /// Whether a delivery is not covered by the welcome: an event (no epoch), a message past the
        /// floor, or one of a later epoch (the shared store lost the stream and numbers from 1 again).
        /// </summary>
        public bool IsNew(string? epoch, long offset) => epoch is null || offset > Floor || epoch != Epoch;
    }
}
