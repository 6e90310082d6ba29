using System.Collections.Concurrent;
using System.Net.WebSockets;
using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Scaling;
using Fleck.Chat.Transport;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Server;

/// <summary>
/// The room of one chat server: its local members, by nickname and as a broadcast set, and the
/// bridge to the other nodes. Local members are always served directly (so a backplane outage
/// never stops local chat); the backplane carries the same bytes to the other nodes.
/// </summary>
internal sealed partial class ChatRoom(IChatBackplane backplane, ChatCounters counters, ILogger logger) : IChatRoom, IBackplaneNode
{
    private readonly MemberSet _members = new();
    private readonly ConcurrentDictionary<string, ChatMember> _byNickname = new(Nickname.Comparer);
    private readonly NicknameDepartures _departures = new();

    public int LocalMemberCount => _members.Count;

    /// <summary>Rooms inside this chat (used by rooms mode); set by the server.</summary>
    public Rooms.IRoomDirectory Rooms { get; init; } = null!;

    /// <summary>The chat's own numbered stream (used by nick-broadcast); set by the server.</summary>
    public Rooms.IChatStream Stream { get; init; } = null!;

    Rooms.IChatStream IChatRoom.Stream => Stream;

    /// <summary>Sends with an id; set by the server.</summary>
    public AckedSends Sends { get; init; } = null!;

    AckedSends IChatRoom.Sends => Sends;

    /// <summary>The users' inboxes (private mode with identity); set by the server.</summary>
    public Rooms.Inboxes Inboxes { get; init; } = null!;

    Rooms.Inboxes IChatRoom.Inboxes => Inboxes;

    /// <summary>This node's side of the numbered streams, which the backplane's stream traffic goes to; set by the server.</summary>
    public Rooms.LocalStreams Streams { get; init; } = null!;

    public IReadOnlyCollection<string> LocalNicknames => [.. _byNickname.Keys, .. LocalUserNames()];

    /// <summary>
    /// This node's members that hold <paramref name="nickname"/>: none or one without identity (a
    /// nickname is one connection), every joined connection of the user with it.
    /// </summary>
    public IReadOnlyList<ChatMember> LocalMembersNamed(string nickname) =>
        _byNickname.TryGetValue(nickname, out var member) ? [member] : LocalUserConnections(nickname);

    public async ValueTask<JoinResult> TryJoinAsync(ChatMember member, string? nickname, CancellationToken cancellationToken)
    {
        if (member.HasJoined)
        {
            throw new InvalidOperationException("The member has already joined.");
        }
        if (!member.IsOpen)
        {
            // A closing connection (e.g. one that just lost its nickname) must not claim a name again.
            return JoinResult.Unavailable;
        }
        if (member.Identity is not null && nickname is not null)
        {
            return await JoinUserAsync(member, nickname).ConfigureAwait(false);
        }
        if (nickname is not null)
        {
            // A connection of this name still leaving here is announced first.
            await _departures.WaitAsync(nickname).WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!await backplane.Presence.TryClaimNicknameAsync(nickname, cancellationToken).ConfigureAwait(false))
                {
                    return JoinResult.NicknameTaken;
                }
            }
            catch (BackplaneUnavailableException ex)
            {
                logger.LogWarning("Cannot check nickname {Nickname}: {Error}", nickname, ex.Message);
                return JoinResult.Unavailable;
            }
            if (!member.IsOpen)
            {
                // The client left while the claim was in flight: give the name back at once.
                await backplane.Presence.ReleaseNicknameAsync(nickname).ConfigureAwait(false);
                return JoinResult.Unavailable;
            }
            _byNickname[nickname] = member;
            member.Nickname = nickname;
        }
        member.HasJoined = true;
        _members.Add(member);
        return JoinResult.Joined;
    }

    /// <summary>
    /// Takes a member out of the room and frees its nickname, then runs <paramref name="announce"/>
    /// (the mode telling the others it left); only after that may a new connection claim the
    /// nickname on this node, so its <c>join</c> follows this <c>leave</c>.
    /// </summary>
    public async ValueTask LeaveAsync(ChatMember member, Func<ValueTask> announce)
    {
        var leaving = member.HasJoined ? member.Nickname : null;
        if (leaving is not null)
        {
            _departures.Begin(leaving);
        }
        try
        {
            await LeaveAsync(member).ConfigureAwait(false);
            await announce().ConfigureAwait(false);
        }
        finally
        {
            if (leaving is not null)
            {
                _departures.End(leaving);
            }
        }
    }

    /// <summary>Takes a member out of the room and frees its nickname; true if it had joined.</summary>
    private async ValueTask<bool> LeaveAsync(ChatMember member)
    {
        if (!member.HasJoined)
        {
            return false;
        }
        if (member.Identity is not null && member.Nickname is not null)
        {
            await LeaveUserAsync(member).ConfigureAwait(false);
            return true;
        }
        _members.Remove(member);
        if (member.Nickname is { } nickname && _byNickname.TryRemove(new KeyValuePair<string, ChatMember>(nickname, member)))
        {
            try
            {
                await backplane.Presence.ReleaseNicknameAsync(nickname).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The claim expires by itself when the backplane cannot be told.
                logger.LogWarning("Could not release nickname {Nickname}: {Error}", nickname, ex.Message);
            }
        }
        return true;
    }

    public async ValueTask<IReadOnlyCollection<string>> GetNicknamesAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await backplane.Presence.GetNicknamesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (BackplaneUnavailableException)
        {
            return LocalNicknames;
        }
    }

    // The other nodes first: their copy has the longer way to go, and a member joining there gets
    // it while still joining, rather than after (see NickBroadcastMode).
    public void SendToAll(OutgoingMessage message)
    {
        PublishToOtherNodes(message);
        DeliverLocally(message, except: null);
    }

    public void SendToAllExcept(ChatMember except, OutgoingMessage message)
    {
        PublishToOtherNodes(message);
        DeliverLocally(message, except);
    }

    public async ValueTask<bool> SendToAsync(string nickname, OutgoingMessage message, CancellationToken cancellationToken)
    {
        if (TrySendLocally(nickname, message))
        {
            return true;
        }
        try
        {
            if (!await backplane.Presence.IsOnlineAsync(nickname, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
        catch (BackplaneUnavailableException)
        {
            return false;
        }
        backplane.Bus.PublishToMember(nickname, message.Payload);
        return true;
    }

    /// <summary>Delivers to the local holder of the nickname, if any (and to a local identified user's other nodes); false when nobody here holds it.</summary>
    private bool TrySendLocally(string nickname, OutgoingMessage message)
    {
        if (DeliverToUser(nickname, message))
        {
            // An identified user may also be online on other nodes: they deliver to their own connections of it.
            backplane.Bus.PublishToMember(nickname, message.Payload);
            return true;
        }
        if (_byNickname.TryGetValue(nickname, out var member))
        {
            counters.Delivered(member.Deliver(message) ? 1 : 0, message.WireLength);
            return true;
        }
        return false;
    }

    void IBackplaneNode.DeliverToAll(ReadOnlyMemory<byte> payload, WebSocketMessageType type) =>
        DeliverLocally(type == WebSocketMessageType.Binary ? OutgoingMessage.Binary(payload.Span) : OutgoingMessage.TrustedText(payload.Span), except: null);

    void IBackplaneNode.DeliverToMember(string nickname, ReadOnlyMemory<byte> text)
    {
        if (HasLocalUser(nickname))
        {
            DeliverToUser(nickname, OutgoingMessage.TrustedText(text.Span));
            return;
        }
        if (_byNickname.TryGetValue(nickname, out var member))
        {
            var message = OutgoingMessage.TrustedText(text.Span);
            counters.Delivered(member.Deliver(message) ? 1 : 0, message.WireLength);
        }
    }

    void IBackplaneNode.MembersLost(IReadOnlyCollection<string> nicknames)
    {
        foreach (var nickname in nicknames)
        {
            if (HasLocalUser(nickname))
            {
                // An identified user still connected here has not left, whatever happened to another node.
                continue;
            }
            DeliverLocally(ChatEvents.Leave(nickname), except: null);
        }
    }

    void IBackplaneNode.NicknameLost(string nickname)
    {
        if (!_byNickname.TryGetValue(nickname, out var member))
        {
            return;
        }
        // The name is still online, held on the other node: the member must leave without a leave
        // event and without releasing a claim that is no longer ours. So it is out of the room
        // before its close starts; the close ends in LeaveAsync and OnDisconnectedAsync, which
        // then find it gone. Closed first, it could still be found in the room by then.
        if (_byNickname.TryRemove(new KeyValuePair<string, ChatMember>(nickname, member)))
        {
            _members.Remove(member);
            member.HasJoined = false;
        }
        member.Send(ChatEvents.Error(ChatErrorCode.NicknameTaken, $"The nickname {nickname} was claimed elsewhere while the cluster was split."));
        _ = member.CloseAsync(ChatErrorCode.CloseNicknameTaken, "Nickname taken");
    }

    void IBackplaneNode.MembersReturned(IReadOnlyCollection<string> nicknames)
    {
        foreach (var nickname in nicknames)
        {
            DeliverLocally(ChatEvents.Join(nickname), except: null);
        }
    }

    void IBackplaneNode.RoomMemberLost(string room, string nickname) => Streams.RoomMemberLost(room, nickname);

    void IBackplaneNode.DeliverRoomEvent(string room, ReadOnlyMemory<byte> text) => Streams.DeliverRoomEvent(room, text);

    void IBackplaneNode.DeliverStreamMessage(string stream, string epoch, Rooms.RoomEntry entry) => Streams.DeliverStreamMessage(stream, epoch, entry);

    private void PublishToOtherNodes(OutgoingMessage message) =>
        backplane.Bus.PublishToAll(message.Payload, message.IsBinary ? WebSocketMessageType.Binary : WebSocketMessageType.Text);

    private void DeliverLocally(OutgoingMessage message, ChatMember? except)
    {
        var members = _members.Snapshot();
        var sent = 0;
        foreach (var member in members)
        {
            if (member != except && member.Deliver(message))
            {
                sent++;
            }
        }
        counters.Delivered(sent, (long)sent * message.WireLength);
    }
}
