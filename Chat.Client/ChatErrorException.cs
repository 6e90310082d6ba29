namespace Fleck.Chat.Client;

/// <summary>The server refused a command: its <c>error</c> event's <c>code</c> and readable message.</summary>
public sealed class ChatErrorException : Exception
{
    /// <summary>Creates the exception for an error with <paramref name="code"/> and <paramref name="message"/>.</summary>
    public ChatErrorException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>The error's code, e.g. <c>rate_limited</c>, <c>not_in_room</c>, <c>offline_target</c>.</summary>
    public string Code { get; }
}
