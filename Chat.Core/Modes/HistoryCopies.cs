using Fleck.Chat.Protocol;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Modes;

/// <summary>
/// The history a joining member was just sent, as a multiset: tells which held live messages are
/// copies of it. Each history entry accounts for at most one copy.
/// Thread-safety: none; used by the member's own handler only.
/// </summary>
internal sealed class HistoryCopies
{
    private readonly Dictionary<ChatHistoryEntry, int> _remaining = [];

    public HistoryCopies(IReadOnlyList<ChatHistoryEntry> history)
    {
        foreach (var entry in history)
        {
            _remaining[entry] = _remaining.GetValueOrDefault(entry) + 1;
        }
    }

    public bool WasReplayed(OutgoingMessage message)
    {
        if (!ChatEvents.TryRead(message, out var e) || e.Type != "message")
        {
            return false;
        }
        var entry = new ChatHistoryEntry(e.Name, e.Msg, e.Ts);
        if (!_remaining.TryGetValue(entry, out var count))
        {
            return false;
        }
        if (count == 1)
        {
            _remaining.Remove(entry);
        }
        else
        {
            _remaining[entry] = count - 1;
        }
        return true;
    }
}
