using System.Collections.Concurrent;
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
internal sealed partial class ChatRoom(IChatBackplane backplane, int historySize, ChatCounters counters, ILogger logger) : IChatRoom, IBackplaneNode
{
    private readonly MemberSet _members = new();
    private readonly ConcurrentDictionary<string, ChatMember> _byNickname = new(Nickname.Comparer);

    public int LocalMemberCount => _members.Count;

    public int HistorySize => historySize;

    /// <summary>Rooms inside this chat (used by rooms mode); set by the server.</summary>
    public Rooms.IRoomDirectory Rooms { get; init; } = null!;

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
        if (!member.Connection.IsOpen)
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
            try
            {
                if (!await backplane.TryClaimNicknameAsync(nickname, cancellationToken).ConfigureAwait(false))
                {
                    return JoinResult.NicknameTaken;
                }
            }
            catch (BackplaneUnavailableException ex)
            {
                logger.LogWarning("Cannot check nickname {Nickname}: {Error}", nickname, ex.Message);
                return JoinResult.Unavailable;
            }
            if (!member.Connection.IsOpen)
            {
                // The client left while the claim was in flight: give the name back at once.
                await backplane.ReleaseNicknameAsync(nickname).ConfigureAwait(false);
                return JoinResult.Unavailable;
            }
            _byNickname[nickname] = member;
            member.Nickname = nickname;
        }
        member.HasJoined = true;
        _members.Add(member);
        return JoinResult.Joined;
    }

    /// <summary>Takes a member out of the room and frees its nickname; true if it had joined.</summary>
    public async ValueTask<bool> LeaveAsync(ChatMember member)
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
                await backplane.ReleaseNicknameAsync(nickname).ConfigureAwait(false);
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
            return await backplane.GetNicknamesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (BackplaneUnavailableException)
        {
            return LocalNicknames;
        }
    }

    public void SendToAll(OutgoingMessage message)
    {
        DeliverLocally(message, except: null);
        PublishToOtherNodes(message);
    }

    public void SendToAllExcept(ChatMember except, OutgoingMessage message)
    {
        DeliverLocally(message, except);
        PublishToOtherNodes(message);
    }

    public async ValueTask<bool> SendToAsync(string nickname, OutgoingMessage message, CancellationToken cancellationToken)
    {
        if (DeliverToUser(nickname, message))
        {
            // An identified user may also be online on other nodes: they deliver to their own connections of it.
            backplane.PublishToMember(nickname, message.Payload);
            return true;
        }
        if (_byNickname.TryGetValue(nickname, out var member))
        {
            counters.Delivered(member.Send(message) ? 1 : 0, message.WireLength);
            return true;
        }
        try
        {
            if (!await backplane.IsOnlineAsync(nickname, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
        catch (BackplaneUnavailableException)
        {
            return false;
        }
        backplane.PublishToMember(nickname, message.Payload);
        return true;
    }

    public ValueTask AddHistoryAsync(ChatHistoryEntry entry) =>
        historySize > 0 ? backplane.AppendHistoryAsync(entry, historySize) : ValueTask.CompletedTask;

    public async ValueTask<IReadOnlyList<ChatHistoryEntry>> GetHistoryAsync(CancellationToken cancellationToken)
    {
        if (historySize <= 0)
        {
            return [];
        }
        try
        {
            return await backplane.GetHistoryAsync(historySize, cancellationToken).ConfigureAwait(false);
        }
        catch (BackplaneUnavailableException)
        {
            return [];
        }
    }

    void IBackplaneNode.DeliverToAll(ReadOnlyMemory<byte> text) => DeliverLocally(OutgoingMessage.TrustedText(text.Span), except: null);

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
            counters.Delivered(member.Send(message) ? 1 : 0, message.WireLength);
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
        if (_byNickname.TryGetValue(nickname, out var member))
        {
            member.Send(ChatEvents.Error(ChatErrorCode.NicknameTaken, $"The nickname {nickname} was claimed elsewhere while the cluster was split."));
            _ = member.Connection.CloseAsync(ChatErrorCode.CloseNicknameTaken, "Nickname taken");
            // The name is still online (held on the other node): the member leaves without a leave
            // event, and without releasing a claim that is no longer ours.
            if (_byNickname.TryRemove(new KeyValuePair<string, ChatMember>(nickname, member)))
            {
                _members.Remove(member);
                member.HasJoined = false;
            }
        }
    }

    void IBackplaneNode.MembersReturned(IReadOnlyCollection<string> nicknames)
    {
        foreach (var nickname in nicknames)
        {
            DeliverLocally(ChatEvents.Join(nickname), except: null);
        }
    }

    private void PublishToOtherNodes(OutgoingMessage message)
    {
        // The backplane carries text only (the other nodes frame what they receive as text); a
        // binary message (broadcast mode) stays on this node rather than reach others corrupted.
        if ((message.Frame.Span[0] & 0x0F) == ServerFrame.OpText)
        {
            backplane.PublishToAll(message.Payload);
        }
    }

    private void DeliverLocally(OutgoingMessage message, ChatMember? except)
    {
        var members = _members.Snapshot();
        var sent = 0;
        foreach (var member in members)
        {
            if (member != except && member.Connection.Send(message))
            {
                sent++;
            }
        }
        counters.Delivered(sent, (long)sent * message.WireLength);
    }
}
