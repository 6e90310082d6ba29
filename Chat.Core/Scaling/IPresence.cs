using Fleck.Chat.Rooms;

namespace Fleck.Chat.Scaling;

/// <summary>
/// Who is where, across the nodes of one chat: who holds which nickname (exclusively, or shared by
/// the nodes serving one identified user) and who is in which room. Every answer counts all nodes,
/// so a node asks here rather than trusting what it sees locally.
/// </summary>
public interface IPresence
{
    /// <summary>
    /// Claims a nickname for this node, atomically across the cluster: false when anyone already
    /// holds it (case-insensitively). Throws <see cref="BackplaneUnavailableException"/> when that
    /// cannot be decided right now.
    /// </summary>
    ValueTask<bool> TryClaimNicknameAsync(string nickname, CancellationToken cancellationToken);

    /// <summary>Frees a nickname this node holds.</summary>
    ValueTask ReleaseNicknameAsync(string nickname);

    /// <summary>
    /// Claims a nickname for this node as one of possibly several nodes serving the same identified
    /// user (who may be connected to several nodes at once): <see cref="SharedClaimResult.Taken"/>
    /// only when the name is held exclusively, through <see cref="TryClaimNicknameAsync"/>. Whether
    /// this is the user's first share anywhere is decided in the same atomic step as the claim, so
    /// of two nodes claiming at the same moment exactly one is first (and announces the user).
    /// The default claims exclusively, so a backplane that does not override it serves each
    /// identified user from one node only.
    /// </summary>
    async ValueTask<SharedClaimResult> TryClaimSharedNicknameAsync(string nickname, CancellationToken cancellationToken) =>
        await TryClaimNicknameAsync(nickname, cancellationToken).ConfigureAwait(false) ? SharedClaimResult.First : SharedClaimResult.Taken;

    /// <summary>
    /// Frees this node's share of a nickname claimed with <see cref="TryClaimSharedNicknameAsync"/>.
    /// Returns true when no share of it is left on any node (the user went offline), decided in the
    /// same atomic step as the release, so of two nodes releasing at the same moment exactly one is
    /// last; also true when that cannot be told (the backplane is down), as the user's claims then expire.
    /// </summary>
    async ValueTask<bool> ReleaseSharedNicknameAsync(string nickname)
    {
        await ReleaseNicknameAsync(nickname).ConfigureAwait(false);
        return true;
    }

    /// <summary>Nicknames online on any node; may throw <see cref="BackplaneUnavailableException"/>.</summary>
    ValueTask<IReadOnlyCollection<string>> GetNicknamesAsync(CancellationToken cancellationToken);

    /// <summary>Whether a nickname is held on any node; may throw <see cref="BackplaneUnavailableException"/>.</summary>
    ValueTask<bool> IsOnlineAsync(string nickname, CancellationToken cancellationToken);

    /// <summary>
    /// Records that <paramref name="nickname"/> has one more connection in the room. True when it is
    /// the nickname's first there on any node (the room's others are to be told it joined), decided
    /// in the same atomic step as the count.
    /// </summary>
    ValueTask<bool> AddRoomMemberAsync(string room, string nickname, CancellationToken cancellationToken);

    /// <summary>
    /// Records that <paramref name="nickname"/> has one connection fewer in the room. True when it had
    /// no other there on any node (the room's others are to be told it left), decided in the same
    /// atomic step as the count.
    /// </summary>
    ValueTask<bool> RemoveRoomMemberAsync(string room, string nickname);

    /// <summary>The room's members on every node.</summary>
    ValueTask<IReadOnlyList<string>> GetRoomMembersAsync(string room, CancellationToken cancellationToken);

    /// <summary>Rooms with members and their counts, every node counted.</summary>
    ValueTask<IReadOnlyList<RoomCount>> GetRoomCountsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Whether <paramref name="user"/> may signal typing in <paramref name="scope"/> now: true at most
    /// once per <paramref name="every"/> for the pair, all nodes counted (the rest are dropped). The
    /// default always allows it.
    /// </summary>
    ValueTask<bool> TryTakeTypingTurnAsync(string user, string scope, TimeSpan every, CancellationToken cancellationToken) => ValueTask.FromResult(true);
}
