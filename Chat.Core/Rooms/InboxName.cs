namespace Fleck.Chat.Rooms;

/// <summary>The stream that keeps one user's private conversations (private mode with identity).</summary>
internal static class InboxName
{
    /// <summary>No room name can start with '~', so an inbox is nobody's room.</summary>
    public static string Of(string nicknameKey) => "~inbox:" + nicknameKey;
}
