using System.Collections.Concurrent;
using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Scaling;
using Fleck.Chat.Transport;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Rooms;

/// <summary>
/// The rooms of one chat server: member → its rooms, O(1) to look up, and each room's presence on
/// every node. A room's local members and this node's subscription to its traffic are
/// <see cref="LocalStreams"/>'; shared state (numbering, history, who is in a room on other nodes)
/// lives in the backplane: <see cref="IPresence"/> for who is in a room, <see cref="IStreamLog"/> for its messages.
/// </summary>
/// <remarks><paramref name="historySize"/> messages are replayed to a joiner; <paramref name="retain"/> are kept per stream.</remarks>
internal sealed class RoomDirectory(IPresence presence, INodeBus bus, IStreamLog log, LocalStreams streams, int maxRoomsPerMember, int historySize, int retain, ILogger logger)
    : IRoomDirectory
{
    private readonly ConcurrentDictionary<ChatMember, HashSet<string>> _memberships = new(ReferenceEqualityComparer.Instance);

    public int MaxRoomsPerMember => maxRoomsPerMember;

    public ValueTask<RoomJoinResult> JoinAsync(ChatMember member, string room, StreamPosition? resumeFrom, Action<RoomSnapshot> welcome, CancellationToken cancellationToken) =>
        LocalStreams.HeldAsync(member, () => JoinRoomAsync(member, room, resumeFrom, welcome, cancellationToken));

    private async ValueTask<RoomJoinResult> JoinRoomAsync(ChatMember member, string room, StreamPosition? resumeFrom, Action<RoomSnapshot> welcome, CancellationToken cancellationToken)
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
        LocalStream? local = null;
        var present = false;
        try
        {
            if (!await log.TryOpenStreamAsync(room, cancellationToken).ConfigureAwait(false))
            {
                lock (mine)
                {
                    mine.Remove(room);
                }
                return RoomJoinResult.TooManyStreams;
            }
            local = await streams.EnterAsync(room, member, cancellationToken).ConfigureAwait(false);
            // A user with several connections is in the room once: only its first connection there is news.
            var first = await presence.AddRoomMemberAsync(room, nickname, cancellationToken).ConfigureAwait(false);
            present = true;
            var users = await presence.GetRoomMembersAsync(room, cancellationToken).ConfigureAwait(false);
            var stream = await log.ReadAsync(room, StreamResume.ReadCount(resumeFrom, historySize, retain), cancellationToken).ConfigureAwait(false);
            var snapshot = StreamResume.Snapshot(room, users, stream, resumeFrom, historySize);
            streams.CountResume(snapshot);
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
    private async ValueTask UndoJoinAsync(ChatMember member, string room, HashSet<string> mine, LocalStream? local, string? presentAs)
    {
        lock (mine)
        {
            mine.Remove(room);
        }
        if (local is not null)
        {
            await streams.ExitAsync(local, member).ConfigureAwait(false);
        }
        if (presentAs is not null)
        {
            await RemovePresenceAsync(room, presentAs).ConfigureAwait(false);
        }
    }

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
        // The entry reaches this node's members, the sender included, through DeliverStreamMessage, in
        // the stream's offset order; the backplane numbers it, keeps it and fans it out in one step.
        var entry = await log.AppendAsync(room, name, msg, ChatEvents.Now(), retain, cancellationToken).ConfigureAwait(false);
        return entry.Offset;
    }

    public void SendToGroup(string room, OutgoingMessage message, ChatMember? except = null)
    {
        streams.DeliverEvent(room, message, except);
        bus.PublishRoomEvent(room, message.Payload);
    }

    public async ValueTask<IReadOnlyList<string>> GetGroupMembersAsync(string room, CancellationToken cancellationToken) =>
        await presence.GetRoomMembersAsync(room, cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<RoomCount>> ListGroupsAsync(CancellationToken cancellationToken) =>
        await presence.GetRoomCountsAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Takes the member out of the room; true when its user has no connection left there (the others are to be told).</summary>
    private async ValueTask<bool> LeaveCoreAsync(ChatMember member, string room)
    {
        await streams.ExitAsync(room, member).ConfigureAwait(false);
        return member.Nickname is not { } nickname || await RemovePresenceAsync(room, nickname).ConfigureAwait(false);
    }

    /// <summary>True when the nickname has no connection left in the room, or when that cannot be told (then the others hear of a leave rather than miss one).</summary>
    private async ValueTask<bool> RemovePresenceAsync(string room, string nickname)
    {
        try
        {
            return await presence.RemoveRoomMemberAsync(room, nickname).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogWarning("Could not record that {Nickname} left #{Room}: {Error}", nickname, room, ex.Message);
            return true;
        }
    }
}
