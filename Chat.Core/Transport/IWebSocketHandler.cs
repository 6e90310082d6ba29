namespace Fleck.Chat.Transport;

/// <summary>
/// What a <see cref="WebSocketServer"/> hands every accepted connection to. The server calls
/// <see cref="OnOpenAsync"/> once, then <see cref="OnMessageAsync"/> for each complete message in
/// order, then <see cref="OnCloseAsync"/> exactly once, however the connection ended.
/// Calls for one connection never overlap; calls for different connections run concurrently.
/// </summary>
public interface IWebSocketHandler
{
    /// <summary>Whether the server accepts an upgrade on this request path; others are answered 404.</summary>
    bool AcceptsPath(string path) => true;

    /// <summary>
    /// With an authenticator: whether <paramref name="identity"/> may connect on <paramref name="path"/>.
    /// Returns the identity to attach to the connection (possibly normalized), or a refusal that is
    /// sent instead of the 101. The default admits everyone.
    /// </summary>
    Identity.AuthenticationResult Admit(string path, Identity.ChatIdentity identity) => Identity.AuthenticationResult.Success(identity);

    /// <summary>The handshake succeeded; the connection can send at once.</summary>
    ValueTask OnOpenAsync(WebSocketConnection connection, CancellationToken cancellationToken);

    /// <summary>A complete message arrived. <see cref="WebSocketMessage.Data"/> is only valid until the returned task completes.</summary>
    ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message, CancellationToken cancellationToken);

    /// <summary>The connection is gone (closed, failed or aborted); nothing more can be sent to it.</summary>
    ValueTask OnCloseAsync(WebSocketConnection connection);
}
