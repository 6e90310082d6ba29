using System.Collections.Concurrent;
using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Scaling;
using Fleck.Chat.Server;
using Fleck.Chat.Transport;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Rooms;

/// <summary>
/// The numbered streams this node has members in (the rooms, and the chat's own stream): for each,
/// its local members (<see cref="LocalStream"/>), and the node's subscription to its traffic, held
/// only while it has a member there. The backplane's stream traffic reaches the node (its
/// <see cref="IBackplaneNode"/>, the chat room), which hands it here, and it goes to each stream's local members. Shared by <see cref="RoomDirectory"/> and <see cref="ChatStream"/>,
/// which add what a room or the chat's stream is beyond its members.
/// </summary>
internal sealed class LocalStreams(INodeBus bus, ChatCounters counters, ILogger logger)
{
    private readonly ConcurrentDictionary<string, LocalStream> _streams = new(StringComparer.Ordinal);

    /// <summary>
    /// Runs <paramref name="join"/> with the member's deliveries held, unless a hold is on already
    /// (a stream joined while logging in: that hold is released by whoever started it). What reaches
    /// the member from the moment it is in the stream waits until its welcome is out.
    /// </summary>
    public static async ValueTask<T> HeldAsync<T>(ChatMember member, Func<ValueTask<T>> join)
    {
        var holding = member.HoldDeliveries();
        try
        {
            return await join().ConfigureAwait(false);
        }
        finally
        {
            if (holding)
            {
                member.ReleaseDeliveries();
            }
        }
    }

    /// <summary>Adds the member (its deliveries held) to the stream's local members, subscribing this node to the stream first if it is the first here.</summary>
    public async Task<LocalStream> EnterAsync(string stream, ChatMember member, CancellationToken cancellationToken)
    {
        while (true)
        {
            var local = _streams.GetOrAdd(stream, s => new LocalStream(s, counters));
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
                        await bus.SubscribeRoomAsync(stream, cancellationToken).ConfigureAwait(false);
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
                local.Add(member);
                return local;
            }
            finally
            {
                local.Gate.Release();
            }
        }
    }

    /// <summary>
    /// Joins a member (its deliveries held) to a stream that keeps its own presence (the chat's,
    /// an inbox): enters it here, reads its state, and has <paramref name="welcome"/> send the
    /// snapshot (<see cref="StreamResume"/> decides what a resume gets) before any live message.
    /// False when the member left meanwhile or its hold overflowed.
    /// </summary>
    public async ValueTask<bool> JoinAsync(IStreamLog log, string stream, ChatMember member, StreamPosition? resumeFrom, int historySize, int retain, Action<RoomSnapshot> welcome, CancellationToken cancellationToken)
    {
        var local = await EnterAsync(stream, member, cancellationToken).ConfigureAwait(false);
        try
        {
            var state = await log.ReadAsync(stream, StreamResume.ReadCount(resumeFrom, historySize, retain), cancellationToken).ConfigureAwait(false);
            // These streams keep their own presence: the snapshot has no users.
            var snapshot = StreamResume.Snapshot(stream, [], state, resumeFrom, historySize);
            CountResume(snapshot);
            if (local.Activate(member, state.Epoch, state.Offset, () => welcome(snapshot)))
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

    /// <summary>Takes the member out of the stream here, if it is in; see <see cref="ExitAsync(LocalStream, ChatMember)"/>.</summary>
    public async ValueTask ExitAsync(string stream, ChatMember member)
    {
        if (_streams.TryGetValue(stream, out var local))
        {
            await ExitAsync(local, member).ConfigureAwait(false);
        }
    }

    /// <summary>Takes the member out of the stream's local members, with whatever of the stream its hold still keeps; the last one out unsubscribes the node.</summary>
    public async ValueTask ExitAsync(LocalStream local, ChatMember member)
    {
        await local.Gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            local.Remove(member);
            local.DropHeld(member);
            if (!RetireIfEmpty(local))
            {
                return;
            }
            if (local.Subscribed)
            {
                local.Subscribed = false;
                try
                {
                    await bus.UnsubscribeRoomAsync(local.Name).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    logger.LogWarning("Could not unsubscribe from #{Room}: {Error}", local.Name, ex.Message);
                }
            }
            // Only now, still behind the gate: a joiner that comes meanwhile finds this stream, waits
            // here, and subscribes the node again after the unsubscribe. Dropped first, the stream would
            // let it make a new one and subscribe before the unsubscribe, which then undoes that.
            Forget(local);
        }
        finally
        {
            local.Gate.Release();
        }
    }

    /// <summary>An unnumbered event to the stream's members on this node but <paramref name="except"/>.</summary>
    public void DeliverEvent(string stream, OutgoingMessage message, ChatMember? except)
    {
        if (_streams.TryGetValue(stream, out var local))
        {
            local.DeliverEvent(message, except);
        }
    }

    /// <summary>Counts a joiner's resume (when it asked for one) by its outcome.</summary>
    public void CountResume(RoomSnapshot snapshot)
    {
        if (snapshot.Recovered is { } recovered)
        {
            counters.Resumed(recovered);
        }
    }

    /// <summary>A numbered message of a stream, for its local members (see <see cref="IBackplaneNode.DeliverStreamMessage"/>).</summary>
    public void DeliverStreamMessage(string room, string epoch, RoomEntry entry)
    {
        // Rendered once per node, then the same frame goes to each local member of the stream.
        if (_streams.TryGetValue(room, out var local))
        {
            if (Inboxes.IsInbox(room))
            {
                // The sending connection has its ack; it gets the echo only if it asked for every offset (v=3).
                local.DeliverNumbered(ChatEvents.Private(entry), epoch, entry.Offset, exceptOrigin: entry.Origin);
                return;
            }
            var message = room == ChatStream.Name ? ChatEvents.Message(entry) : RoomEvents.Message(room, entry);
            local.DeliverNumbered(message, epoch, entry.Offset);
        }
    }

    /// <summary>A signal (typing) to the stream's v=3 members here but <paramref name="exceptUser"/>'s, and to the other nodes subscribed to it.</summary>
    public void Signal(string stream, string exceptUser, OutgoingMessage message)
    {
        DeliverSignal(stream, exceptUser, message);
        bus.PublishSignal(SignalScope.Stream, stream, exceptUser, message.Payload);
    }

    /// <summary>A signal of a stream (from here or another node) for its local v=3 members but <paramref name="exceptUser"/>'s.</summary>
    public void DeliverSignal(string stream, string? exceptUser, OutgoingMessage message)
    {
        if (_streams.TryGetValue(stream, out var local))
        {
            local.DeliverSignal(message, exceptUser);
        }
    }

    /// <summary>An unnumbered event of a room from another node, for its local members.</summary>
    public void DeliverRoomEvent(string room, ReadOnlyMemory<byte> text) =>
        DeliverEvent(room, OutgoingMessage.TrustedText(text.Span), except: null);

    /// <summary>A member of a dead node left a room: its local members are told.</summary>
    public void RoomMemberLost(string room, string nickname) =>
        DeliverEvent(room, RoomEvents.Leave(room, nickname), except: null);

    /// <summary>Marks an empty stream retired (a joiner must make a new one); call under its gate, then <see cref="Forget"/> it before releasing the gate.</summary>
    private static bool RetireIfEmpty(LocalStream local)
    {
        if (!local.IsEmpty)
        {
            return false;
        }
        local.Retired = true;
        return true;
    }

    private void Forget(LocalStream local) => _streams.TryRemove(new KeyValuePair<string, LocalStream>(local.Name, local));
}
