using System.Net.WebSockets;

namespace Fleck.Chat.Scaling;

/// <summary>
/// What connects one chat server to the other nodes of the same chat. Each node delivers to its own
/// members directly; the backplane carries the same bytes to the other nodes and keeps the state
/// that must be shared: who holds which nickname. The numbered streams (nick-broadcast's chat and
/// each room), the only history the chat keeps, are <see cref="IRoomBackplane"/>'s.
/// <para>The default, <see cref="InMemoryBackplane"/>, is one process; a Redis implementation lives in its own package.</para>
/// </summary>
public interface IChatBackplane : IAsyncDisposable
{
    /// <summary>Joins the cluster; traffic from other nodes goes to <paramref name="node"/> from now on.</summary>
    Task ConnectAsync(IBackplaneNode node, CancellationToken cancellationToken);

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
    /// Hands a message to every other node, for all of its members, which receive it as
    /// <paramref name="type"/> (<see cref="WebSocketMessageType.Text"/> or
    /// <see cref="WebSocketMessageType.Binary"/>) with exactly these bytes. Never blocks; while the
    /// backplane is down it is dropped.
    /// </summary>
    void PublishToAll(ReadOnlyMemory<byte> payload, WebSocketMessageType type);

    /// <summary>Hands a text message to the node that holds <paramref name="nickname"/> (every node, for a shared claim), for that member only.</summary>
    void PublishToMember(string nickname, ReadOnlyMemory<byte> text);

    /// <summary>
    /// Asks every other node to close each local connection of <paramref name="nickname"/> with
    /// <paramref name="closeCode"/>. Never blocks; while the backplane is down it is dropped.
    /// </summary>
    void PublishDisconnect(string nickname, int closeCode);
}

/// <summary>Outcome of <see cref="IChatBackplane.TryClaimSharedNicknameAsync"/>.</summary>
public enum SharedClaimResult
{
    /// <summary>The name is held exclusively (by a member without identity): not claimed.</summary>
    Taken,

    /// <summary>Claimed, and no other node held a share: the user has just come online.</summary>
    First,

    /// <summary>Claimed, and another node already holds a share: the user was online already.</summary>
    Again,
}

/// <summary>The side of a chat server that a backplane delivers to.</summary>
public interface IBackplaneNode
{
    /// <summary>A message from another node for every local member, to be sent as <paramref name="type"/> (text or binary).</summary>
    void DeliverToAll(ReadOnlyMemory<byte> payload, WebSocketMessageType type);

    /// <summary>A message from another node for one local member; ignored if that member is not here.</summary>
    void DeliverToMember(string nickname, ReadOnlyMemory<byte> text);

    /// <summary>Another node asks to close every local connection of <paramref name="nickname"/> with <paramref name="closeCode"/>; ignored if none is here.</summary>
    void DisconnectMember(string nickname, int closeCode);

    /// <summary>Members of another node are gone (it died, or its claims expired): local members are told they left.</summary>
    void MembersLost(IReadOnlyCollection<string> nicknames);

    /// <summary>Nicknames held by this node's members, for re-claiming them after the backplane returns.</summary>
    IReadOnlyCollection<string> LocalNicknames { get; }

    /// <summary>
    /// A local member lost its nickname to a conflict after a backplane outage: it leaves the room
    /// without a <c>leave</c> event (the name stays online, held by the member on the other node) and is disconnected.
    /// </summary>
    void NicknameLost(string nickname);

    /// <summary>
    /// Members of another node that the others were told had left (that node was cut off long
    /// enough to be taken for dead) are back without having reconnected: local members are told they joined.
    /// </summary>
    void MembersReturned(IReadOnlyCollection<string> nicknames);
}

/// <summary>The backplane cannot answer right now (e.g. Redis is down).</summary>
public sealed class BackplaneUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BackplaneUnavailableException(string message, Exception? inner = null) : base(message, inner)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public BackplaneUnavailableException() : base("The chat backplane is unavailable.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public BackplaneUnavailableException(string message) : base(message)
    {
    }
}
