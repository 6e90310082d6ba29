namespace Fleck.Chat.Client;

/// <summary>A page of older messages, oldest first.</summary>
/// <param name="Messages">The messages, oldest first.</param>
/// <param name="More">True when older messages than these are still kept.</param>
public sealed record HistoryPage(IReadOnlyList<ChatMessage> Messages, bool More);
