using Fleck.Chat.Identity;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Transport;

/// <summary>Who the connection belongs to, and the end of its session when that identity expires.</summary>
public sealed partial class WebSocketConnection
{
    /// <summary>The identity the server's <see cref="IConnectionAuthenticator"/> established; null without one.</summary>
    public ChatIdentity? Identity { get; internal set; }

    /// <summary>Called by the server's sweep: an identity past its expiry ends the connection with 4401.</summary>
    internal void CheckExpiry(DateTimeOffset now)
    {
        // Accepting a token allows clock skew; a session outliving its token does not get it.
        if (Identity?.ExpiresAt is { } expiresAt && now >= expiresAt && IsOpen)
        {
            _logger.LogDebug("Connection {Id} from {Remote}: its identity expired; closing it", Id, RemoteEndPoint);
            _ = CloseAsync(ChatIdentity.CloseExpired, "Session expired");
        }
    }
}
