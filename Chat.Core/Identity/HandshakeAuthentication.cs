using System.Net;
using Fleck.Chat.Transport;
using Fleck.Chat.Transport.Handshake;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Identity;

/// <summary>
/// The identity step of a handshake that has passed every other check: the authenticator decides
/// who the client is, then the handler whether that identity may use the requested path. A refusal
/// becomes the HTTP answer in place of the 101.
/// </summary>
internal static class HandshakeAuthentication
{
    public static async ValueTask<(HandshakeOutcome Outcome, ChatIdentity? Identity)> AuthenticateAsync(
        HandshakeOutcome accepted, UpgradeRequest request, IPEndPoint? remote, WebSocketServerOptions options,
        IWebSocketHandler handler, ILogger logger, CancellationToken cancellationToken)
    {
        var authenticator = options.Authenticator!;
        AuthenticationResult result;
        try
        {
            result = await authenticator.AuthenticateAsync(new UpgradeContext(request, remote, options.Certificate is not null), cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                result = handler.Admit(request.Path, result.Identity!);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            logger.LogWarning("Authenticating a handshake from {Remote} failed: {Error}", remote, ex.GetType().Name);
            result = AuthenticationResult.Refuse(500, "The server could not check who you are.");
        }
        if (result.Succeeded)
        {
            return (accepted, result.Identity);
        }
        var headers = result.Headers.Select(h => h.Key + ": " + h.Value).ToArray();
        var response = HttpResponse.Error(result.StatusCode, ReasonPhrase(result.StatusCode), result.Reason, headers);
        return (new HandshakeOutcome(result.StatusCode, response, null, null), null);
    }

    private static string ReasonPhrase(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => status < 500 ? "Client Error" : "Server Error",
    };
}
