using Fleck.Chat.Transport;

namespace Fleck.Chat.Modes;

/// <summary>
/// What a chat mode may do: admit members, look them up, and send to one, to all, or to all but
/// one, across every node of the chat. Sends never block; each message is framed once and shared
/// by all its recipients.
/// </summary>
public interface IChatRoom
{
    /// <summary>Number of members joined on this node.</summary>
    int LocalMemberCount { get; }

    /// <summary>
    /// Joins a member to the room under <paramref name="nickname"/> (null: an anonymous member, who
    /// only receives broadcasts). Claims the nickname cluster-wide first; never replaces whoever
    /// holds it.
    /// </summary>
    ValueTask<JoinResult> TryJoinAsync(ChatMember member, string? nickname, CancellationToken cancellationToken);

    /// <summary>Online nicknames on every node.</summary>
    ValueTask<IReadOnlyCollection<string>> GetNicknamesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Sends to every member on every node, text or binary alike (a binary message reaches the
    /// other nodes as binary, byte for byte). While the backplane is down, members on this node
    /// still receive it; the others do not.
    /// </summary>
    void SendToAll(OutgoingMessage message);

    /// <summary>Sends to every member on every node except <paramref name="except"/>; as <see cref="SendToAll"/>.</summary>
    void SendToAllExcept(ChatMember except, OutgoingMessage message);

    /// <summary>Sends to the member holding <paramref name="nickname"/>, on whichever node; false when nobody online holds it.</summary>
    ValueTask<bool> SendToAsync(string nickname, OutgoingMessage message, CancellationToken cancellationToken);

    /// <summary>Rooms (groups) inside this chat: membership per room and delivery to a room's members only.</summary>
    Rooms.IRoomDirectory Rooms => throw new NotSupportedException("This chat has no rooms.");

    /// <summary>
    /// The chat's own numbered stream (nick-broadcast's one conversation). Internal: the built-in
    /// modes use it, and a room that is not the server's has none.
    /// </summary>
    internal Rooms.IChatStream Stream => throw new NotSupportedException("This chat has no numbered stream of its own.");

    /// <summary>Sends with an id (acknowledged, deduplicated). Internal, for the built-in modes.</summary>
    internal AckedSends Sends => throw new NotSupportedException("This chat does not acknowledge sends.");

    /// <summary>The users' inboxes (private mode with identity). Internal, for the built-in modes.</summary>
    internal Rooms.Inboxes Inboxes => throw new NotSupportedException("This chat keeps no inboxes.");

    /// <summary>History pages, read markers and typing, for the built-in modes.</summary>
    internal Server.StreamServices StreamServices => throw new NotSupportedException("This chat has no stream services.");
}

/// <summary>Outcome of <see cref="IChatRoom.TryJoinAsync"/>.</summary>
public enum JoinResult
{
    /// <summary>The member is in the room.</summary>
    Joined,

    /// <summary>Someone else holds the nickname.</summary>
    NicknameTaken,

    /// <summary>The nickname could not be checked (the backplane is down).</summary>
    Unavailable,

    /// <summary>
    /// The member is in the room as one more connection of an identified user who was already
    /// online: nobody is told it joined (nor that it left when it closes, unless it is the user's last).
    /// </summary>
    JoinedAgain,
}
