namespace Fleck.Chat.Client.Connection;

/// <summary>How one connection ended: its close code (or HTTP status when the upgrade was refused), and the error the server sent last.</summary>
/// <param name="Code">The WebSocket close code, or the HTTP status of a refused upgrade; null when the connection just broke.</param>
/// <param name="Reason">A readable account of it.</param>
/// <param name="LastError">The last <c>error</c> event before the end (a taken nickname says so before 4001).</param>
internal sealed record SessionEnd(int? Code, string Reason, ChatErrorException? LastError)
{
    /// <summary>Nickname taken, nickname invalid, disconnected by the operator, policy violation (PROTOCOL.md close codes).</summary>
    private static readonly int[] FinalCloseCodes = [4001, 4002, 4004, 1008];

    /// <summary>The token expired (close 4401) or was refused (HTTP 401): a new token may help.</summary>
    public bool TokenRejected => Code is 4401 or 401;

    /// <summary>True when connecting again cannot help: the server said no for a reason that will not pass.</summary>
    public bool Final(bool canRenewToken) =>
        (Code is { } code && FinalCloseCodes.Contains(code)) || Code == 403 || (TokenRejected && !canRenewToken);

    /// <summary>What a caller sees for it: the server's error when there was one, else <c>unauthorized</c> (HTTP 401), <c>forbidden</c> (403) or <c>closed</c>.</summary>
    public ChatErrorException ToException() => LastError ?? new ChatErrorException(Code switch
    {
        401 => "unauthorized",
        403 => "forbidden",
        _ => "closed",
    }, Reason);
}

/// <summary>A connection attempt ended before the server signed the client in.</summary>
internal sealed class SessionEndedException(SessionEnd end) : Exception(end.Reason)
{
    public SessionEnd End { get; } = end;
}
