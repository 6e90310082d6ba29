using Fleck.Chat.Modes;
using Fleck.Chat.Scaling;

namespace Fleck.Chat.Rooms;

/// <summary>
/// The users' inboxes (private mode with identity): one numbered stream per user
/// (<see cref="InboxName"/>) holding every private message the user sent or received, run by the
/// same machinery as the chat's stream and the rooms. Each connection of the user is in it from
/// sign-in, so a message reaches all of the user's devices, on every node, through the stream.
/// </summary>
/// <remarks><paramref name="historySize"/> messages are replayed to a new connection; <paramref name="retain"/> are kept.</remarks>
internal sealed class Inboxes(IStreamLog log, LocalStreams streams, int historySize, int retain)
{
    private const string Prefix = "~inbox:";

    public static bool IsInbox(string stream) => stream.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Puts the connection in its user's inbox (never refused by the most streams: it counts), then welcomes it as <see cref="LocalStreams.JoinAsync"/> does.</summary>
    public ValueTask<bool> JoinAsync(ChatMember member, string inbox, StreamPosition? resumeFrom, Action<RoomSnapshot> welcome, CancellationToken cancellationToken) =>
        LocalStreams.HeldAsync(member, () => streams.JoinAsync(log, inbox, member, resumeFrom, historySize, retain, welcome, cancellationToken));

    public ValueTask LeaveAsync(ChatMember member, string inbox) => streams.ExitAsync(inbox, member);

    /// <summary>Whether the inbox exists (its user connected or was written to within the stream time to live).</summary>
    public ValueTask<bool> ExistsAsync(string inbox, CancellationToken cancellationToken) => log.StreamExistsAsync(inbox, cancellationToken);
}
