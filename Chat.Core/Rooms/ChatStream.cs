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
        LocalStreams.HeldAsync(member, () => streams.JoinAsync(log, Name, member, resumeFrom, historySize, retain, welcome, cancellationToken));

    public ValueTask LeaveAsync(ChatMember member) => streams.ExitAsync(Name, member);

    // The entry reaches this node's members through the backplane's delivery, as a room's does.
    public ValueTask<RoomEntry> PublishAsync(string name, string msg, long ts, CancellationToken cancellationToken) =>
        log.AppendAsync(Name, name, msg, ts, retain, cancellationToken);
}
