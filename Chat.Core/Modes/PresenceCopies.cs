using Fleck.Chat.Protocol;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Modes;

/// <summary>
/// The online list a joining member was just sent, carried forward through the join and leave
/// events held for it: tells which of them it already knows. A join for someone the list already
/// showed is a copy (announced before the list was read); so is a leave for someone it never saw.
/// Thread-safety: none; used by the member's own handler only.
/// </summary>
internal sealed class PresenceCopies(IEnumerable<string> online)
{
    private readonly HashSet<string> _online = new(online, Nickname.Comparer);

    public bool WasAnnounced(OutgoingMessage message)
    {
        if (!ChatEvents.TryRead(message, out var e) || e.User is not { } user)
        {
            return false;
        }
        return e.Type switch
        {
            "join" => !_online.Add(user),
            "leave" => !_online.Remove(user),
            _ => false,
        };
    }
}
