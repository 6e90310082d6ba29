namespace Fleck.Chat.Client;

/// <summary>A room with members, as the <c>rooms</c> command lists it.</summary>
/// <param name="Room">The room's name.</param>
/// <param name="Members">How many members it has, on every node.</param>
public sealed record RoomInfo(string Room, int Members);
