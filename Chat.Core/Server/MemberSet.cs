using Fleck.Chat.Modes;

namespace Fleck.Chat.Server;

/// <summary>
/// The local members that receive broadcasts. Joins and leaves are O(1) under a lock; a broadcast
/// reads an array snapshot that is rebuilt only after the set changed, so sending to thousands of
/// members neither locks nor allocates.
/// Thread-safety: all members may be called concurrently.
/// </summary>
internal sealed class MemberSet
{
    private readonly Lock _lock = new();
    private readonly List<ChatMember> _items = [];
    private volatile ChatMember[]? _snapshot = [];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    public void Add(ChatMember member)
    {
        lock (_lock)
        {
            member.Slot = _items.Count;
            _items.Add(member);
            _snapshot = null;
        }
    }

    public bool Remove(ChatMember member)
    {
        lock (_lock)
        {
            var slot = member.Slot;
            if (slot < 0 || slot >= _items.Count || _items[slot] != member)
            {
                return false;
            }
            // Swap the last member into the hole: order does not matter for delivery.
            var last = _items[^1];
            _items[slot] = last;
            last.Slot = slot;
            _items.RemoveAt(_items.Count - 1);
            member.Slot = -1;
            _snapshot = null;
            return true;
        }
    }

    public ChatMember[] Snapshot()
    {
        var snapshot = _snapshot;
        if (snapshot is not null)
        {
            return snapshot;
        }
        lock (_lock)
        {
            return _snapshot ??= [.. _items];
        }
    }
}
