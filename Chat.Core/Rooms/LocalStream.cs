using Fleck.Chat.Modes;
using Fleck.Chat.Server;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Rooms;

/// <summary>
/// One stream's members on this node (a room's, or the chat's own). A joining member is in the
/// fan-out from the moment it enters, while its <see cref="DeliveryHold"/> keeps the stream's
/// traffic back until its welcome (joined, history) is out; <see cref="Activate"/> sends the welcome
/// and tells the hold which held messages the welcome covered. Delivery and the welcome take one
/// lock, so no message can slip between them; sends never block, so the lock is held for one pass
/// over the stream's members.
/// Thread-safety: all members may be called concurrently; <see cref="Gate"/> orders joins and leaves
/// with the backplane subscription, the lock orders deliveries with the member set.
/// </summary>
internal sealed class LocalStream(string name, ChatCounters counters)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ChatMember, Seat> _seats = new(ReferenceEqualityComparer.Instance);
    // Members in the order they entered. The seats' dictionary reuses the slots of members who
    // left, so its own order would put a newcomer anywhere; in this order each member keeps its
    // place in every fan-out, and those who came first are written to first, as in a broadcast.
    private readonly List<Seat> _inOrder = [];
    // The members as a plain array (null after a change), and the highest floor among them: a
    // message above it is new to everyone, so the fan-out walks members as a broadcast does, without
    // a seat to load and test for each. A member's floor is set once, when its welcome is out.
    private ChatMember[]? _fanout = [];
    private Seat[] _fanoutSeats = [];
    private long _highestFloor;

    public string Name { get; } = name;

    /// <summary>Held while members are added or removed together with the backplane subscription.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Whether this node listens to the stream's channel. Changed under <see cref="Gate"/>.</summary>
    public bool Subscribed { get; set; }

    /// <summary>The stream emptied here and is dropped from <see cref="LocalStreams"/> before its gate opens again; a joiner must make a new one. Changed under <see cref="Gate"/>.</summary>
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

    /// <summary>Adds a member whose deliveries are held (<see cref="ChatMember.HoldDeliveries"/>) until it is welcomed.</summary>
    public void Add(ChatMember member)
    {
        lock (_lock)
        {
            var seat = new Seat(member);
            _seats[member] = seat;
            _inOrder.Add(seat);
            _fanout = null;
        }
    }

    /// <summary>
    /// Runs <paramref name="welcome"/>, then has the member's hold drop the messages of
    /// <paramref name="epoch"/> at or below <paramref name="floor"/> (the welcome covered those); the
    /// same are dropped from the fan-out from now on. False, with nothing sent, when the member is not
    /// here (it left) or its hold overflowed (it is being closed): it is not in the stream.
    /// </summary>
    public bool Activate(ChatMember member, string epoch, long floor, Action welcome)
    {
        lock (_lock)
        {
            if (!_seats.TryGetValue(member, out var seat) || member.HoldOverflowed)
            {
                return false;
            }
            welcome();
            seat.Epoch = epoch;
            seat.Floor = floor;
            _fanout = null;
            member.SkipHeldCopies((_, mark) => mark is { } m && m.Stream == Name && !seat.IsNew(m.Epoch, m.Offset));
            return true;
        }
    }

    /// <summary>Has the member's hold drop whatever of this stream it kept: the member is leaving without having been welcomed.</summary>
    public void DropHeld(ChatMember member) => member.SkipHeldCopies((_, mark) => mark?.Stream == Name);

    public bool Remove(ChatMember member)
    {
        lock (_lock)
        {
            if (!_seats.Remove(member, out var seat))
            {
                return false;
            }
            _inOrder.Remove(seat);
            _fanout = null;
            return true;
        }
    }

    /// <summary>A numbered message: to every member that has not had it in its welcome.</summary>
    public void DeliverNumbered(OutgoingMessage message, string epoch, long offset) => Deliver(message, new StreamMark(Name, epoch, offset), except: null);

    /// <summary>
    /// A numbered message of an inbox: as <see cref="DeliverNumbered(OutgoingMessage, string, long)"/>,
    /// but not to the connection marked <paramref name="exceptOrigin"/> that sent it, unless it speaks v=3.
    /// </summary>
    public void DeliverNumbered(OutgoingMessage message, string epoch, long offset, long exceptOrigin) =>
        Deliver(message, new StreamMark(Name, epoch, offset), except: exceptOrigin == 0 ? null : Sender(exceptOrigin));

    /// <summary>An unnumbered event (join, leave): to every member but <paramref name="except"/>.</summary>
    public void DeliverEvent(OutgoingMessage message, ChatMember? except) => Deliver(message, new StreamMark(Name, null, 0), except);

    /// <summary>A signal (typing): to every member that asked for such events (v=3), but <paramref name="exceptUser"/>'s connections.</summary>
    public void DeliverSignal(OutgoingMessage message, string? exceptUser)
    {
        var sent = 0;
        lock (_lock)
        {
            foreach (var member in _fanout ??= FanoutLocked())
            {
                if (member.SpeaksV3 && (exceptUser is null || !Protocol.Nickname.Comparer.Equals(member.Nickname, exceptUser))
                    && member.Deliver(message, new StreamMark(Name, null, 0)))
                {
                    sent++;
                }
            }
        }
        counters.Delivered(sent, (long)sent * message.WireLength);
    }

    private void Deliver(OutgoingMessage message, StreamMark mark, ChatMember? except)
    {
        var sent = 0;
        lock (_lock)
        {
            var members = _fanout ??= FanoutLocked();
            if (mark.Epoch is null || mark.Offset > _highestFloor)
            {
                foreach (var member in members)
                {
                    if (member != except && member.Deliver(message, mark))
                    {
                        sent++;
                    }
                }
            }
            else
            {
                // The seats as they were when the fan-out was built: a send that cuts a slow reader
                // may take it out of the stream while this walk is still going.
                foreach (var seat in _fanoutSeats)
                {
                    if (seat.Member != except && seat.IsNew(mark.Epoch, mark.Offset) && seat.Member.Deliver(message, mark))
                    {
                        sent++;
                    }
                }
            }
        }
        counters.Delivered(sent, (long)sent * message.WireLength);
    }

    /// <summary>The member here that sent with <paramref name="origin"/> and gets no echo; null when none (it is on another node).</summary>
    private ChatMember? Sender(long origin)
    {
        lock (_lock)
        {
            foreach (var seat in _inOrder)
            {
                if (seat.Member.Origin == origin)
                {
                    return seat.Member.SpeaksV3 ? null : seat.Member;
                }
            }
        }
        return null;
    }

    private ChatMember[] FanoutLocked()
    {
        var seats = _inOrder.ToArray();
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

        /// <summary>Offset of the last message the member's welcome covered, in <see cref="Epoch"/>; 0 until then.</summary>
        public long Floor { get; set; }

        /// <summary>The stream's epoch when the member's welcome was read; null until then (everything is new).</summary>
        public string? Epoch { get; set; }

        /// <summary>
        /// Whether a delivery is not covered by the welcome: an event (no epoch), a message past the
        /// floor, or one of another epoch (the shared store lost the stream and numbers from 1 again).
        /// </summary>
        public bool IsNew(string? epoch, long offset) => epoch is null || offset > Floor || epoch != Epoch;
    }
}
