namespace Fleck.Chat.Client;

/// <summary>One chat message, live, replayed or from a history page.</summary>
/// <param name="Name">Who wrote it (<c>server</c> for the operator's messages).</param>
/// <param name="Text">The text.</param>
/// <param name="Timestamp">When the server took it.</param>
/// <param name="Offset">Its number in its stream, from 1; 0 when the stream has no offsets (private messages without identity).</param>
/// <param name="Id">The id its sender gave it, if any: a client recognises its own sends by it.</param>
/// <param name="To">The target of a private message; null elsewhere.</param>
public sealed record ChatMessage(string Name, string Text, DateTimeOffset Timestamp, long Offset, string? Id, string? To);
