namespace Fleck.Chat.Identity;

/// <summary>
/// Decides who an upgrade request belongs to, before the server answers it: an identity lets the
/// handshake go on, a refusal is sent as the HTTP answer and nothing is upgraded. Set one on
/// <see cref="Transport.WebSocketServerOptions.Authenticator"/>; without one every request is anonymous.
/// <code>
/// sealed class SessionCookieAuthenticator(ISessionStore sessions) : IConnectionAuthenticator
/// {
///     public async ValueTask&lt;AuthenticationResult&gt; AuthenticateAsync(UpgradeContext request, CancellationToken ct) =>
///         request.Cookies.TryGetValue("session", out var id) &amp;&amp; await sessions.FindUserAsync(id, ct) is { } user
///             ? AuthenticationResult.Success(new ChatIdentity(user.Name))
///             : AuthenticationResult.Unauthorized("Sign in first.");
/// }
/// </code>
/// Thread-safety: called concurrently for many requests; an implementation must allow that.
/// </summary>
public interface IConnectionAuthenticator
{
    /// <summary>
    /// Checks one upgrade request. Called after the path was accepted and before the 101 is sent,
    /// within the handshake timeout (<paramref name="cancellationToken"/> fires when it runs out).
    /// A thrown exception refuses the request with 500 and is logged.
    /// </summary>
    ValueTask<AuthenticationResult> AuthenticateAsync(UpgradeContext request, CancellationToken cancellationToken);
}
