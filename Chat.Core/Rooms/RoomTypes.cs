using System.Text.Json.Serialization;

namespace Fleck.Chat.Rooms;

/// <summary>One numbered message of a room's stream, as kept in its history.</summary>
/// <param name="Name">Sender's nickname.</param>
/// <param name="Msg">The text.</param>
/// <param name="Ts">Unix time in milliseconds when the server received it.</param>
/// <param name="Offset">Position in the room's stream: 1, 2, 3, ... with no gaps, across every node.</param>
public sealed record RoomEntry(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("msg")] string Msg,
    [property: JsonPropertyName("ts")] long Ts,
    [property: JsonPropertyName("offset")] long Offset)
{
    /// <summary>The sender's own id for the message (<c>id</c>), when it gave one: every event made of the entry carries it.</summary>
    [JsonPropertyName("id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; init; }

    /// <summary>The addressee of a private message (<c>to_client</c>), kept in both inboxes; null in a room or the chat.</summary>
    [JsonPropertyName("to_client")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? To { get; init; }

    /// <summary>
    /// A mark of the connection that sent the message (<see cref="Scaling.StreamAppend.Origin"/>), handed along
    /// with a live delivery so that connection can be told apart; never kept (0 when read back).
    /// </summary>
    [JsonIgnore]
    public long Origin { get; init; }
}

/// <summary>A room's stream as a joiner first sees it.</summary>
/// <param name="Epoch">The stream's epoch: changes only when its history is lost.</param>
/// <param name="Offset">Offset of the latest message (0 when none was sent yet).</param>
/// <param name="History">The kept messages, oldest first, all at or below <paramref name="Offset"/>.</param>
public sealed record RoomStreamState(string Epoch, long Offset, IReadOnlyList<RoomEntry> History);

/// <summary>What a member is told when it joins a room.</summary>
/// <param name="Room">The room's normalized name.</param>
/// <param name="Users">Members of the room on every node, the joiner included, sorted.</param>
/// <param name="Epoch">The stream's epoch.</param>
/// <param name="Offset">Offset of the latest message before the member's live stream starts.</param>
/// <param name="History">
/// Messages to send as history, oldest first: exactly those after the resume point when
/// <paramref name="Recovered"/> is true, else the recent history. Every later message reaches the member live.
/// </param>
/// <param name="Recovered">
/// Null when the member did not ask to resume; true when <paramref name="History"/> holds every
/// message after its resume point; false when that was not possible (another epoch, or not all kept).
/// </param>
public sealed record RoomSnapshot(string Room, IReadOnlyList<string> Users, string Epoch, long Offset, IReadOnlyList<RoomEntry> History, bool? Recovered = null);

/// <summary>Where a reconnecting client left a stream: the last offset it saw, in which epoch.</summary>
/// <param name="Since">Offset of the last message the client saw (0: none).</param>
/// <param name="Epoch">The stream's epoch at that time; null when the client did not say.</param>
public sealed record StreamPosition(long Since, string? Epoch);

/// <summary>A room and how many members it has on every node.</summary>
/// <param name="Room">The room's name.</param>
/// <param name="Members">Distinct members, every node counted.</param>
public sealed record RoomCount(string Room, int Members);

/// <summary>Outcome of <see cref="IRoomDirectory.JoinAsync"/>.</summary>
public enum RoomJoinResult
{
    /// <summary>The member is in the room; the welcome callback ran.</summary>
    Joined,

    /// <summary>The member was already in the room; nothing changed.</summary>
    AlreadyJoined,

    /// <summary>The member is in as many rooms as allowed.</summary>
    TooManyRooms,

    /// <summary>Shared room state cannot be reached right now (the backplane is down).</summary>
    Unavailable,

    /// <summary>
    /// The member is in the room (the welcome callback ran), and its user already was, through
    /// another connection: the room's others are not told again.
    /// </summary>
    JoinedAgain,

    /// <summary>The room does not exist and the chat holds as many streams as allowed: nothing changed.</summary>
    TooManyStreams,
}

/// <summary>Outcome of <see cref="IRoomDirectory.LeaveAsync"/>.</summary>
public enum RoomLeaveResult
{
    /// <summary>The member was not in the room; nothing changed.</summary>
    NotInRoom,

    /// <summary>The member left, and its user has no connection left in the room: the room's others are to be told.</summary>
    Left,

    /// <summary>The member left, but its user is still in the room through another connection: nobody is told.</summary>
    LeftStillPresent,
}
