using Fleck.Chat.Modes;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Rooms;

/// <summary>
/// Rooms (groups) inside one chat: which member is in which room, on every node, and delivery to
/// a room's members only. A room's message touches only the members of that room; membership
/// lookups are O(1). A room exists while it has members; its history outlives them.
/// Thread-safety: all members may be called concurrently, but calls for one member should not overlap
/// (the chat mode contract already guarantees that).
/// </summary>
public interface IRoomDirectory
{
    /// <summary>Most rooms one member may be in at once.</summary>
    int MaxRoomsPerMember { get; }

    /// <summary>
    /// Puts a member (which must have a nickname) in a room. <paramref name="welcome"/> runs once, with
    /// the room's users and recent history, before any of the room's live traffic reaches the member:
    /// every message of the room is either at or below <see cref="RoomSnapshot.Offset"/> (and in the
    /// history if it is recent enough) or delivered live afterwards, never neither and never both.
    /// With <paramref name="resumeFrom"/>, the welcome's history is what the member missed after it
    /// when that is possible (<see cref="RoomSnapshot.Recovered"/> says which).
    /// </summary>
    ValueTask<RoomJoinResult> JoinAsync(ChatMember member, string room, StreamPosition? resumeFrom, Action<RoomSnapshot> welcome, CancellationToken cancellationToken);

    /// <summary>Takes a member out of a room; nothing of that room reaches it afterwards. False when it was not in it.</summary>
    ValueTask<bool> LeaveAsync(ChatMember member, string room);

    /// <summary>Takes a member out of every room (on disconnect) and returns the rooms it was in.</summary>
    ValueTask<IReadOnlyList<string>> LeaveAllAsync(ChatMember member);

    /// <summary>Whether the member is in the room right now. O(1).</summary>
    bool IsMember(ChatMember member, string room);

    /// <summary>
    /// Numbers a message in the room's stream, keeps it in the room's history and delivers it as a
    /// <c>message</c> event to every member of the room on every node. Returns its offset. Throws
    /// <see cref="Scaling.BackplaneUnavailableException"/> when the shared stream cannot be reached.
    /// </summary>
    ValueTask<long> PublishAsync(string room, string name, string msg, CancellationToken cancellationToken);

    /// <summary>Sends an unnumbered event (join, leave) to every member of the room on every node except <paramref name="except"/>.</summary>
    void SendToGroup(string room, OutgoingMessage message, ChatMember? except = null);

    /// <summary>The room's members on every node, sorted.</summary>
    ValueTask<IReadOnlyList<string>> GetGroupMembersAsync(string room, CancellationToken cancellationToken);

    /// <summary>The rooms that have members, with their member counts, every node counted.</summary>
    ValueTask<IReadOnlyList<RoomCount>> ListGroupsAsync(CancellationToken cancellationToken);
}
