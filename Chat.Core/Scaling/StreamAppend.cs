using Fleck.Chat.Rooms;

namespace Fleck.Chat.Scaling;

/// <summary>
/// One message to number and keep (<see cref="IStreamLog.AppendAsync(StreamAppend, CancellationToken)"/>):
/// the stream, the entry's fields, and what an acknowledged send adds.
/// </summary>
/// <param name="Stream">The stream it is numbered in; with <see cref="CopyTo"/>, the sender's inbox.</param>
/// <param name="Name">Sender's nickname.</param>
/// <param name="Msg">The text.</param>
/// <param name="Ts">Unix time in milliseconds when the server received it.</param>
/// <param name="Capacity">The most messages the stream keeps (further bounded by <see cref="StreamLimits"/>).</param>
public sealed record StreamAppend(string Stream, string Name, string Msg, long Ts, int Capacity)
{
    /// <summary>The sender's id for the message; kept with the entry. With <see cref="User"/>, the send is deduplicated.</summary>
    public string? Id { get; init; }

    /// <summary>The user the id belongs to (a nickname key): ids are unique per user within the dedup window.</summary>
    public string? User { get; init; }

    /// <summary>The private target, kept as the entry's <see cref="RoomEntry.To"/>.</summary>
    public string? To { get; init; }

    /// <summary>A second stream (the target's inbox) the same message is numbered in, in the same atomic step.</summary>
    public string? CopyTo { get; init; }

    /// <summary>A mark of the sending connection, handed with the live deliveries (<see cref="RoomEntry.Origin"/>), never kept.</summary>
    public long Origin { get; init; }

    /// <summary>The entry as numbered at <paramref name="offset"/>.</summary>
    public RoomEntry ToEntry(long offset) => new(Name, Msg, Ts, offset) { Id = Id, To = To, Origin = Origin };
}

/// <summary>What an append did.</summary>
/// <param name="Entry">The entry numbered in <see cref="StreamAppend.Stream"/>; for a duplicate, only its offset is the original's.</param>
/// <param name="Duplicate">The same user's id was seen within the window: nothing was numbered, <paramref name="Entry"/>'s offset is the first send's.</param>
public sealed record StreamAppendResult(RoomEntry Entry, bool Duplicate = false);

/// <summary>What a send with an id was acknowledged with, kept for the dedup window.</summary>
/// <param name="Stream">The stream (room, chat, sender's inbox) it was numbered in; empty for a private message without inbox.</param>
/// <param name="Offset">Its offset there; null when it was not numbered (private mode without identity).</param>
/// <param name="At">Unix time in milliseconds of the first send: it is forgotten a window later.</param>
public sealed record SentMessage(string Stream, long? Offset, long At);

/// <summary>A send a store kept (<see cref="IChatStreamStore.RecordSent"/>).</summary>
/// <param name="User">The user (nickname key).</param>
/// <param name="Id">The user's id for it.</param>
/// <param name="Sent">Its acknowledgement.</param>
public sealed record StoredSend(string User, string Id, SentMessage Sent);
