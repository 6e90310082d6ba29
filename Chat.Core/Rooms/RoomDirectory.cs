using System.Collections.Concurrent;
using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Scaling;
using Fleck.Chat.Server;
using Fleck.Chat.Transport;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Rooms;

/// <summary>
/// The rooms of one chat server: room → its local members (<see cref="LocalRoom"/>) and member →
/// its rooms, both O(1) to look up. Shared state (numbering, history, who is in a room on other
/// nodes) lives in the <see cref="IRoomBackplane"/>; this node subscribes to a room's traffic only
/// while it has a member in that room.
/// </summary>
/// <remarks><paramref name="historySize"/> messages are replayed to a joiner; <paramref name="retain"/> are kept per stream.</remarks>
internal sealed class RoomDirectory(IRoomBackplane backplane, int maxRoomsPerMember, int historySize, int retain, ChatCounters counters, ILogger logger)
    : IRoomDirectory, IRoomStreamNode
{
    private readonly ConcurrentDictionary<string, LocalRoom> _rooms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ChatMember, HashSet<string>> _memberships = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// The stream of the one chat of nick-broadcast: numbered, kept and fanned out like a room's, but
    /// with no presence and no place in anyone's room count. No room name can start with '~'.
    /// </summary>
    public const string ChatStream = "~chat";

    public int MaxRoomsPerMember => maxRoomsPerMember;

    public async ValueTask<RoomJoinResult> JoinAsync(ChatMember member, string room, StreamPosition? resumeFrom, Action<RoomSnapshot> welcome, CancellationToken cancellationToken)
    {
        var nickname = member.Nickname ?? throw new InvalidOperationException("Only a member with a nickname can join a room.");
        var mine = _memberships.GetOrAdd(member, _ => new HashSet<string>(StringComparer.Ordinal));
        lock (mine)
        {
            if (mine.Contains(room))
            {
                return RoomJoinResult.AlreadyJoined;
            }
            if (mine.Count >= maxRoomsPerMember)
            {
                return RoomJoinResult.TooManyRooms;
            }
            mine.Add(room);
        }
        LocalRoom? local = null;
        var present = false;
        try
        {
            if (!await backplane.TryOpenRoomAsync(room, cancellationToken).ConfigureAwait(false))
            {
                lock (mine)
                {
                    mine.Remove(room);
                }
                return RoomJoinResult.TooManyStreams;
            }
            local = await EnterAsync(room, member, cancellationToken).ConfigureAwait(false);
            // A user with several connections is in the room once: only its first connection there is news.
            var first = await backplane.AddRoomMemberAsync(room, nickname, cancellationToken).ConfigureAwait(false);
            present = true;
            var users = await backplane.GetRoomMembersAsync(room, cancellationToken).ConfigureAwait(false);
            var stream = await backplane.ReadRoomAsync(room, ReadCount(resumeFrom), cancellationToken).ConfigureAwait(false);
            var snapshot = StreamResume.Snapshot(room, users, stream, resumeFrom, historySize);
            CountResume(snapshot);
            if (local.Activate(member, stream.Epoch, stream.Offset, () => welcome(snapshot)))
            {
                return first ? RoomJoinResult.Joined : RoomJoinResult.JoinedAgain;
            }
            // Not welcomed, so not in the room: nobody is to hear of a join, nor later of a leave.
            logger.LogDebug("{Nickname} was no longer waiting to join #{Room}", nickname, room);
        }
        catch (Exception ex) when (ex is BackplaneUnavailableException or OperationCanceledException)
        {
            logger.LogWarning("{Nickname} could not join #{Room}: {Error}", nickname, room, ex.Message);
            await UndoJoinAsync(member, room, mine, local, present ? nickname : null).ConfigureAwait(false);
            if (ex is OperationCanceledException)
            {
                throw;
            }
            return RoomJoinResult.Unavailable;
        }
        await UndoJoinAsync(member, room, mine, local, nickname).ConfigureAwait(false);
        return RoomJoinResult.Unavailable;
    }

    /// <summary>Takes back what a join that did not complete had done; <paramref name="presentAs"/> is the nickname once it was counted in the room.</summary>
    private async ValueTask UndoJoinAsync(ChatMember member, string room, HashSet<string> mine, LocalRoom? local, string? presentAs)
    {
        lock (mine)
        {
            mine.Remove(room);
        }
        if (local is not null)
        {
            await ExitAsync(local, member).ConfigureAwait(false);
        }
        if (presentAs is not null)
        {
            await RemovePresenceAsync(room, presentAs).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Puts a member in the chat's own stream (<see cref="ChatStream"/>): <paramref name="welcome"/>
    /// runs once with the stream's snapshot (its <see cref="RoomSnapshot.Users"/> empty: the chat
    /// keeps its own presence), then the stream's messages follow live, each once, in offset order.
    /// False, with nothing sent, when the member was no longer waiting to be welcomed (see
    /// <see cref="LocalRoom.Activate"/>): it is not in the stream. Throws <see cref="BackplaneUnavailableException"/> when the stream cannot be reached.
    /// </summary>
    public async ValueTask<bool> JoinChatStreamAsync(ChatMember member, StreamPosition? resumeFrom, Action<RoomSnapshot> welcome, CancellationToken cancellationToken)
    {
        var local = await EnterAsync(ChatStream, member, cancellationToken).ConfigureAwait(false);
        try
        {
            var stream = await backplane.ReadRoomAsync(ChatStream, ReadCount(resumeFrom), cancellationToken).ConfigureAwait(false);
            var snapshot = StreamResume.Snapshot(ChatStream, [], stream, resumeFrom, historySize);
            CountResume(snapshot);
            if (local.Activate(member, stream.Epoch, stream.Offset, () => welcome(snapshot)))
            {
                return true;
            }
        }
        catch
        {
            await ExitAsync(local, member).ConfigureAwait(false);
            throw;
        }
        await ExitAsync(local, member).ConfigureAwait(false);
        return false;
    }

    /// <summary>Takes a member out of the chat's own stream; nothing of it reaches the member afterwards.</summary>
    public async ValueTask LeaveChatStreamAsync(ChatMember member)
    {
        if (_rooms.TryGetValue(ChatStream, out var local))
        {
            await ExitAsync(local, member).ConfigureAwait(false);
        }
    }

    /// <summary>Numbers, keeps and fans out a message of the chat's own stream; it reaches this node's members through <see cref="IRoomStreamNode.DeliverRoomMessage"/>.</summary>
    public ValueTask<RoomEntry> PublishToChatStreamAsync(string name, string msg, long ts, CancellationToken cancellationToken) =>
        backplane.AppendRoomMessageAsync(ChatStream, name, msg, ts, retain, cancellationToken);

    public async ValueTask<RoomLeaveResult> LeaveAsync(ChatMember member, string room)
    {
        if (!_memberships.TryGetValue(member, out var mine))
        {
            return RoomLeaveResult.NotInRoom;
        }
        lock (mine)
        {
            if (!mine.Remove(room))
            {
                return RoomLeaveResult.NotInRoom;
            }
        }
        return await LeaveCoreAsync(member, room).ConfigureAwait(false) ? RoomLeaveResult.Left : RoomLeaveResult.LeftStillPresent;
    }

    public async ValueTask<IReadOnlyList<string>> LeaveAllAsync(ChatMember member)
    {
        if (!_memberships.TryRemove(member, out var mine))
        {
            return [];
        }
        string[] rooms;
        lock (mine)
        {
            rooms = [.. mine];
            mine.Clear();
        }
        var left = new List<string>(rooms.Length);
        foreach (var room in rooms)
        {
            if (await LeaveCoreAsync(member, room).ConfigureAwait(false))
            {
                left.Add(room);
            }
        }
        return left;
    }

    public bool IsMember(ChatMember member, string room)
    {
        if (!_memberships.TryGetValue(member, out var mine))
        {
            return false;
        }
        lock (mine)
        {
            return mine.Contains(room);
        }
    }

    public async ValueTask<long> PublishAsync(string room, string name, string msg, CancellationToken cancellationToken)
    {
        // The entry reaches this node's members, the sender included, through DeliverRoomMessage, in
        // the stream's offset order; the backplane numbers it, keeps it and fans it out in one step.
        var entry = await backplane.AppendRoomMessageAsync(room, name, msg, ChatEvents.Now(), retain, cancellationToken).ConfigureAwait(false);
        return entry.Offset;
    }

    public void SendToGroup(string room, OutgoingMessage message, ChatMember? except = null)
    {
        if (_rooms.TryGetValue(room, out var local))
        {
            local.DeliverEvent(message, except);
        }
        backplane.PublishRoomEvent(room, message.Payload);
    }

    public async ValueTask<IReadOnlyList<string>> GetGroupMembersAsync(string room, CancellationToken cancellationToken) =>
        await backplane.GetRoomMembersAsync(room, cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<RoomCount>> ListGroupsAsync(CancellationToken cancellationToken) =>
        await backplane.GetRoomCountsAsync(cancellationToken).ConfigureAwait(false);

    void IRoomStreamNode.DeliverRoomMessage(string room, string epoch, RoomEntry entry)
    {
        // Rendered once per node, then the same frame goes to each local member of the room.
        if (_rooms.TryGetValue(room, out var local))
        {
            var message = room == ChatStream ? ChatEvents.Message(entry) : RoomEvents.Message(room, entry);
            local.DeliverNumbered(message, epoch, entry.Offset);
        }
    }

    /// <summary>A joiner is replayed the recent history; one that resumes may need everything kept.</summary>
    private int ReadCount(StreamPosition? resumeFrom) => resumeFrom is null ? historySize : retain;

    private void CountResume(RoomSnapshot snapshot)
    {
        if (snapshot.Recovered is { } recovered)
        {
            counters.Resumed(recovered);
        }
    }

    void IRoomStreamNode.DeliverRoomEvent(string room, ReadOnlyMemory<byte> text)
    {
        if (_rooms.TryGetValue(room, out var local))
        {
            local.DeliverEvent(OutgoingMessage.TrustedText(text.Span), except: null);
        }
    }

    void IRoomStreamNode.RoomMemberLost(string room, string nickname)
    {
        if (_rooms.TryGetValue(room, out var local))
        {
            local.DeliverEvent(RoomEvents.Leave(room, nickname), except: null);
        }
    }

    /// <summary>Adds the member as pending to the room's local set, subscribing this node to the room first if it is the room's first local member.</summary>
    private async Task<LocalRoom> EnterAsync(string room, ChatMember member, CancellationToken cancellationToken)
    {
        while (true)
        {
            var local = _rooms.GetOrAdd(room, r => new LocalRoom(r, counters));
            await local.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (local.Retired)
                {
                    continue;
                }
                if (!local.Subscribed)
                {
                    try
                    {
                        await backplane.SubscribeRoomAsync(room, cancellationToken).ConfigureAwait(false);
                    }
                    catch
                    {
                        if (RetireIfEmpty(local))
                        {
                            Forget(local);
                        }
                        throw;
                    }
                    local.Subscribed = true;
                }
                local.AddPending(member);
                return local;
            }
            finally
            {
                local.Gate.Release();
            }
        }
    }

    /// <summary>Takes the member out of the room; true when its user has no connection left there (the others are to be told).</summary>
    private async ValueTask<bool> LeaveCoreAsync(ChatMember member, string room)
    {
        if (_rooms.TryGetValue(room, out var local))
        {
            await ExitAsync(local, member).ConfigureAwait(false);
        }
        return member.Nickname is not { } nickname || await RemovePresenceAsync(room, nickname).ConfigureAwait(false);
    }

    /// <summary>Takes the member out of the local set; the last one out unsubscribes the node from the room.</summary>
    private async ValueTask ExitAsync(LocalRoom local, ChatMember member)
    {
        await local.Gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            local.Remove(member);
            if (!RetireIfEmpty(local))
            {
                return;
            }
            if (local.Subscribed)
            {
                local.Subscribed = false;
                try
                {
                    await backplane.UnsubscribeRoomAsync(local.Name).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    logger.LogWarning("Could not unsubscribe from #{Room}: {Error}", local.Name, ex.Message);
                }
            }
            // Only now, still behind the gate: a joiner that comes meanwhile finds this room, waits
            // here, and subscribes the node again after the unsubscribe. Dropped first, the room would
            // let it make a new one and subscribe before the unsubscribe, which then undoes that.
            Forget(local);
        }
        finally
        {
            local.Gate.Release();
        }
    }

    /// <summary>Marks an empty room retired (a joiner must make a new one); call under its gate, then <see cref="Forget"/> it before releasing the gate.</summary>
    private static bool RetireIfEmpty(LocalRoom local)
    {
        if (!local.IsEmpty)
        {
            return false;
        }
        local.Retired = true;
        return true;
    }

    private void Forget(LocalRoom local) => _rooms.TryRemove(new KeyValuePair<string, LocalRoom>(local.Name, local));

    /// <summary>True when the nickname has no connection left in the room, or when that cannot be told (then the others hear of a leave rather than miss one).</summary>
    private async ValueTask<bool> RemovePresenceAsync(string room, string nickname)
    {
        try
        {
            return await backplane.RemoveRoomMemberAsync(room, nickname).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogWarning("Could not record that {Nickname} left #{Room}: {Error}", nickname, room, ex.Message);
            return true;
        }
    }
}
