namespace Fleck.Chat.Protocol;

/// <summary>Machine-readable <c>code</c> values of the <c>error</c> events rooms mode adds; the connection stays open after each.</summary>
public static class RoomErrorCode
{
    /// <summary>The room name breaks the rule of <see cref="RoomName"/>.</summary>
    public const string InvalidRoom = "invalid_room";

    /// <summary>A message (or leave) for a room the member has not joined.</summary>
    public const string NotInRoom = "not_in_room";

    /// <summary>The member is already in as many rooms as allowed.</summary>
    public const string TooManyRooms = "too_many_rooms";

    /// <summary>
    /// Joining would create a room while the chat already holds as many streams as allowed
    /// (<see cref="ChatServerOptions.MaxStreams"/>); existing rooms can still be joined.
    /// </summary>
    public const string TooManyStreams = "too_many_streams";

    /// <summary>The command's <c>type</c> is missing or not one of join, leave, message, rooms.</summary>
    public const string UnknownType = "unknown_type";
}
