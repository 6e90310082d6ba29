using Fleck.Chat.Modes;
using Fleck.Chat.Scaling;

namespace Fleck.Chat.Rooms;

/// <summary>
/// The chat's own numbered stream (nick-broadcast's one conversation), run by the same machinery as
/// a room's (<see cref="LocalStreams"/> and the backplane's streams) under the name <see cref="Name"/>.
/// </summary>
/// <remarks><paramref name="historySize"/> messages are replayed to a joiner; <paramref name="retain"/> are kept.</remarks>
internal sealed class ChatStream(IStreamLog log, LocalStreams streams, int historySize, int retain) : IChatStream
{
    /// <summary>The stream's name in the backplane and the store. No room name can start with '~', so it is nobody's room.</summary>
    public const string Name = "~chat";

    public ValueTask<bool> JoinAsync(ChatMember member, StreamPosition? resumeFrom, Action<RoomSnapshot> welcome, CancellationToken cancellationToken) =>
        LocalStreams.HeldAsync(member, () => JoinHeldAsync(member, resumeFrom, welcome, cancellationToken));

    public ValueTask LeaveAsync(ChatMember member) => streams.ExitAsync(Name, member);

    // The entry reaches this node's members through the backplane's delivery, as a room's does.
    public ValueTask<RoomEntry> PublishAsync(string name, string msg, long ts, CancellationToken cancellationToken) =>
        log.AppendAsync(Name, name, msg, ts, retain, cancellationToken);

    private async ValueTask<bool> JoinHeldAsync(ChatMember member, StreamPosition? resumeFrom, Action<RoomSnapshot> welcome, CancellationToken cancellationToken)
    {
        var local = await streams.EnterAsync(Name, member, cancellationToken).ConfigureAwait(false);
        try
        {
            var stream = await log.ReadAsync(Name, StreamResume.ReadCount(resumeFrom, historySize, retain), cancellationToken).ConfigureAwait(false);
            // The chat keeps its own presence: the stream's snapshot has no users.
            var snapshot = StreamResume.Snapshot(Name, [], stream, resumeFrom, historySize);
            streams.CountResume(snapshot);
            if (local.Activate(member, stream.Epoch, stream.Offset, () => welcome(snapshot)))
            {
                return true;
            }
        }
        catch
        {
            await streams.ExitAsync(local, member).ConfigureAwait(false);
            throw;
        }
        await streams.ExitAsync(local, member).ConfigureAwait(false);
        return false;
    }
}
