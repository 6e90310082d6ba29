namespace Fleck.Chat.Client;

/// <summary>
/// Something that happened in the chat, as <see cref="ChatClient.ReadEventsAsync"/> yields it. Match on the
/// derived records. Where a record has a <c>Room</c>, null means the connection's own stream (nick-broadcast's
/// chat, or the private inbox).
/// </summary>
public abstract record ChatEvent;

/// <summary>A live message; each offset of a stream is yielded once, in order.</summary>
/// <param name="Room">The room, or null for nick-broadcast's chat.</param>
/// <param name="Message">The message.</param>
public sealed record MessageEvent(string? Room, ChatMessage Message) : ChatEvent;

/// <summary>A message from before: replayed on joining, or recovered after a reconnect.</summary>
/// <param name="Room">The room, or null for the connection's own stream.</param>
/// <param name="Message">The message.</param>
public sealed record HistoryEvent(string? Room, ChatMessage Message) : ChatEvent;

/// <summary>A private message, to this user or (from another of this user's connections) by it.</summary>
/// <param name="Message">The message; <see cref="ChatMessage.To"/> is its target.</param>
public sealed record PrivateEvent(ChatMessage Message) : ChatEvent;

/// <summary>Someone came online (Room null) or joined a room.</summary>
/// <param name="Room">The room, or null.</param>
/// <param name="User">Who.</param>
public sealed record JoinEvent(string? Room, string User) : ChatEvent;

/// <summary>Someone went offline (Room null) or left a room.</summary>
/// <param name="Room">The room, or null.</param>
/// <param name="User">Who.</param>
public sealed record LeaveEvent(string? Room, string User) : ChatEvent;

/// <summary>Signed in (on every connection, the reconnects too): who is online.</summary>
/// <param name="Users">The users online.</param>
/// <param name="You">This client's nickname.</param>
/// <param name="Read">This user's read marker in the connection's stream (0 when none).</param>
public sealed record UsersEvent(IReadOnlyList<string> Users, string You, long Read) : ChatEvent;

/// <summary>This client is in a room (also after a reconnect re-joined it).</summary>
/// <param name="Room">The room.</param>
/// <param name="Users">Its members.</param>
/// <param name="Read">This user's read marker in the room (0 when none).</param>
public sealed record JoinedEvent(string Room, IReadOnlyList<string> Users, long Read) : ChatEvent;

/// <summary>This client left a room.</summary>
/// <param name="Room">The room.</param>
public sealed record LeftEvent(string Room) : ChatEvent;

/// <summary>A resume ended: whether every missed message came back.</summary>
/// <param name="Room">The room, or null for the connection's own stream.</param>
/// <param name="Recovered">True when nothing was lost.</param>
/// <param name="Count">How many missed messages were replayed.</param>
public sealed record RecoveredEvent(string? Room, bool Recovered, int Count) : ChatEvent;

/// <summary>Messages of a stream may be missing (the server could not recover them, or the stream started over).</summary>
/// <param name="Room">The room, or null for the connection's own stream.</param>
public sealed record GapEvent(string? Room) : ChatEvent;

/// <summary>Someone is typing.</summary>
/// <param name="Room">The room, or null (nick-broadcast, or to this user in private).</param>
/// <param name="User">Who.</param>
public sealed record TypingEvent(string? Room, string User) : ChatEvent;

/// <summary>This user's read marker moved on another of its connections.</summary>
/// <param name="Room">The room, or null for the connection's own stream.</param>
/// <param name="Offset">The marker: everything up to this offset is read.</param>
public sealed record ReadEvent(string? Room, long Offset) : ChatEvent;

/// <summary>The server reported an error.</summary>
/// <param name="Code">Its code (<c>rate_limited</c>, <c>not_in_room</c>, …).</param>
/// <param name="Message">Its readable text.</param>
/// <param name="Room">The room it concerns, if any.</param>
/// <param name="Id">The id of the send it concerns, if any (that send's task fails too).</param>
public sealed record ErrorEvent(string Code, string Message, string? Room, string? Id) : ChatEvent;

/// <summary>The rooms with members, answering <see cref="ChatClient.ListRoomsAsync"/>.</summary>
/// <param name="Rooms">The rooms.</param>
public sealed record RoomsEvent(IReadOnlyList<RoomInfo> Rooms) : ChatEvent;

/// <summary>The client's <see cref="ChatClient.State"/> changed.</summary>
/// <param name="State">The new state.</param>
/// <param name="Reason">Why, when it is a drop or a close.</param>
public sealed record StateChangedEvent(ChatClientState State, string? Reason) : ChatEvent;
