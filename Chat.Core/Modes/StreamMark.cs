namespace Fleck.Chat.Modes;

/// <summary>
/// Which stream a delivery belongs to and where in it, so a hold can tell which of what it kept a
/// welcome already covered: the stream's name, and for a numbered message the epoch it was
/// numbered in and its offset (an unnumbered event of the stream has no epoch).
/// </summary>
internal readonly record struct StreamMark(string Stream, string? Epoch, long Offset);
