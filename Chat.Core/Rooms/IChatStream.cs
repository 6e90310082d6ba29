using Fleck.Chat.Modes;

namespace Fleck.Chat.Rooms;

/// <summary>
/// The chat's own numbered stream: the one conversation of a chat without rooms (nick-broadcast).
/// Run by the same machinery as a room's stream, so its messages are numbered, kept and delivered
/// in offset order on every node; unlike a room it has no presence of its own (the chat keeps that)
/// and counts in nobody's rooms. Reached through <see cref="IChatRoom.Stream"/>.
/// </summary>
internal interface IChatStream
{
    /// <summary>
    /// Puts a member in the stream: <paramref name="welcome"/> runs once with the stream's snapshot
    /// (its <see cref="RoomSnapshot.Users"/> empty), then the stream's messages follow live, each
    /// once, in offset order. False, with nothing sent, when the member was no longer waiting to be
    /// welcomed (it left, or was closed while it waited): it is not in the stream. Throws
    /// <see cref="Scaling.BackplaneUnavailableException"/> when the stream cannot be reached.
    /// </summary>
    ValueTask<bool> JoinAsync(ChatMember member, StreamPosition? resumeFrom, Action<RoomSnapshot> welcome, CancellationToken cancellationToken);

    /// <summary>Takes a member out of the stream; nothing of it reaches the member afterwards.</summary>
    ValueTask LeaveAsync(ChatMember member);

    /// <summary>
    /// Numbers a message, keeps it and delivers it to every member of the stream on every node, the
    /// sender included. Throws <see cref="Scaling.BackplaneUnavailableException"/> when the stream
    /// cannot be reached: then nobody got it.
    /// </summary>
    ValueTask<RoomEntry> PublishAsync(string name, string msg, long ts, CancellationToken cancellationToken);
}
