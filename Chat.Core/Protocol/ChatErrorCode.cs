namespace Fleck.Chat.Protocol;

/// <summary>Machine-readable <c>code</c> values of <c>error</c> events, and the close codes that end a login.</summary>
public static class ChatErrorCode
{
    /// <summary>The nickname is held by someone else (compared case-insensitively).</summary>
    public const string NicknameTaken = "nickname_taken";

    /// <summary>The nickname breaks the rules (1-32 characters, no control characters, not "server").</summary>
    public const string InvalidNickname = "invalid_nickname";

    /// <summary>A message that had to be JSON was not.</summary>
    public const string InvalidJson = "invalid_json";

    /// <summary>A required field (<c>msg</c>, <c>to_client</c>) is missing or empty.</summary>
    public const string MissingField = "missing_field";

    /// <summary>The addressee of a private message is not online.</summary>
    public const string OfflineTarget = "offline_target";

    /// <summary>The client sends faster than its rate limit.</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>Binary messages are not part of the chat protocol.</summary>
    public const string UnsupportedData = "unsupported_data";

    /// <summary>Cluster state (nicknames) cannot be reached right now; try again shortly.</summary>
    public const string Unavailable = "unavailable";

    /// <summary>A token sent to refresh the connection's identity is bad, expired, or names another user; the connection keeps its old expiry.</summary>
    public const string InvalidToken = "invalid_token";

    /// <summary>A request this connection cannot make, or with values out of range: a token refresh on a server without identity, a history page's <c>before</c> or <c>limit</c>, a read marker's <c>offset</c>, a command the mode does not offer.</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary>The user is banned (the HTTP API's <c>/api/ban</c>); sent before the close with <see cref="CloseDisconnected"/>.</summary>
    public const string Banned = "banned";

    /// <summary>A send's <c>id</c> is not 1-64 characters of letters, digits, '_', '.', ':' or '-': nothing was sent.</summary>
    public const string InvalidId = "invalid_id";

    /// <summary>Close code after a taken nickname.</summary>
    public const int CloseNicknameTaken = 4001;

    /// <summary>Close code after an invalid nickname.</summary>
    public const int CloseInvalidNickname = 4002;

    /// <summary>Close code when the nickname cannot be checked (cluster state unreachable).</summary>
    public const int CloseUnavailable = 4003;

    /// <summary>
    /// Close code when the server's operator disconnected the user (the HTTP API's
    /// <c>/api/disconnect</c>, or <c>ChatServer.DisconnectUserAsync</c>): every connection of that
    /// user, on every node, is closed with it. A page may reconnect; keeping someone out is the
    /// authenticator's job, not this code's.
    /// </summary>
    public const int CloseDisconnected = 4004;
}
