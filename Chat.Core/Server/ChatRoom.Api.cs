using Fleck.Chat.Scaling;

namespace Fleck.Chat.Server;

/// <summary>What the server's operator may do to the room from outside the chat (the host's HTTP API).</summary>
internal sealed partial class ChatRoom
{
    private const string DisconnectedReason = "Disconnected by the server";

    /// <summary>
    /// Closes every connection of <paramref name="nickname"/> with <paramref name="closeCode"/>, on
    /// this node at once and on the others through the backplane. Nobody holding the name is not
    /// an error: the request is idempotent.
    /// </summary>
    public void Disconnect(string nickname, int closeCode)
    {
        CloseLocalMembersNamed(nickname, closeCode);
        // Every node is asked, not only the one the claim points to: a user may be connected to several.
        backplane.Bus.PublishDisconnect(nickname, closeCode);
    }

    /// <summary>
    /// Sends to a user on whichever node holds it; false when it is online nowhere. Unlike
    /// <see cref="SendToAsync"/>, throws <see cref="BackplaneUnavailableException"/> when the user is not
    /// here and the other nodes cannot be asked, so an operator is not told "offline" for "unknown".
    /// </summary>
    public async ValueTask<bool> SendToUserAsync(string nickname, Transport.OutgoingMessage message, CancellationToken cancellationToken)
    {
        if (TrySendLocally(nickname, message))
        {
            return true;
        }
        if (!await backplane.Presence.IsOnlineAsync(nickname, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }
        backplane.Bus.PublishToMember(nickname, message.Payload);
        return true;
    }

    /// <summary>The nicknames online on every node; throws <see cref="BackplaneUnavailableException"/> when that cannot be read (no fallback to this node's).</summary>
    public ValueTask<IReadOnlyCollection<string>> GetOnlineEverywhereAsync(CancellationToken cancellationToken) =>
        backplane.Presence.GetNicknamesAsync(cancellationToken);

    void IBackplaneNode.DisconnectMember(string nickname, int closeCode) => CloseLocalMembersNamed(nickname, closeCode);

    private void CloseLocalMembersNamed(string nickname, int closeCode)
    {
        foreach (var member in LocalMembersNamed(nickname))
        {
            // The close runs its course on the connection's own loop; leaving the room (and the
            // leave event) follows from it exactly as for a client that closed by itself.
            _ = member.CloseAsync(closeCode, DisconnectedReason);
        }
    }
}
