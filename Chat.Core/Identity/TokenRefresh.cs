using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Server;
using Fleck.Chat.Transport;
using Fleck.Chat.Transport.Handshake;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Identity;

/// <summary>
/// <c>{"type":"refresh","token":JWT}</c> on a live connection of a nickname mode: the token is
/// checked exactly as at the handshake (the same authenticator, then the same admission) and must
/// name the same user. Accepted, the connection's identity is replaced, so the expiry sweep closes
/// it at the new <c>exp</c>; refused, nothing changes and the connection stays open.
/// </summary>
internal sealed class TokenRefresh(IConnectionAuthenticator? authenticator, IChatMode mode, ChatCounters counters, ILogger logger)
{
    /// <summary>
    /// Whether <paramref name="utf8"/> is a refresh command. A chat message rarely holds the quoted
    /// word, so the JSON is only parsed for the few that do.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> utf8, out string? token)
    {
        token = null;
        if (utf8.IndexOf("\"refresh\""u8) < 0)
        {
            return false;
        }
        try
        {
            var command = JsonSerializer.Deserialize(utf8, RefreshJsonContext.Default.RefreshCommand);
            if (command?.Type != "refresh")
            {
                return false;
            }
            token = command.Token;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public async ValueTask HandleAsync(WebSocketConnection connection, ChatMember member, string? token, CancellationToken cancellationToken)
    {
        if (authenticator is null || connection.Identity is not { } current)
        {
            member.Send(ChatEvents.Error(ChatErrorCode.InvalidRequest, "This server does not sign in with tokens: there is no token to refresh."));
            return;
        }
        if (string.IsNullOrEmpty(token))
        {
            member.Send(ChatEvents.Error(ChatErrorCode.MissingField, "Send the new token: \"token\" is missing."));
            return;
        }
        var renewed = await CheckAsync(connection, token, cancellationToken).ConfigureAwait(false);
        if (renewed is null || Nickname.Key(renewed.Name) != Nickname.Key(current.Name))
        {
            counters.Refreshed(accepted: false);
            member.Send(ChatEvents.Error(ChatErrorCode.InvalidToken, "The token is invalid, has expired or is not yours; the connection keeps its old expiry."));
            return;
        }
        // The sweep reads the identity afresh each round: replacing it moves the deadline.
        connection.Identity = renewed;
        member.Identity = renewed;
        counters.Refreshed(accepted: true);
        var exp = renewed.ExpiresAt?.ToUnixTimeSeconds();
        member.Send(ChatEvents.Refreshed(renewed.ExpiresAt is { } until
            ? $"Token refreshed: this connection lasts until {until.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC."
            : "Token refreshed.", exp));
    }

    private async ValueTask<ChatIdentity?> CheckAsync(WebSocketConnection connection, string token, CancellationToken cancellationToken)
    {
        // A token is base64url and dots; anything else could not be one, and a line break would
        // forge header fields in the request it is presented in below.
        if (token.Length > JwtAuthenticator.MaxTokenLength || token.Any(c => c is <= ' ' or >= (char)0x7F))
        {
            return null;
        }
        // Authenticators read upgrade requests, so the token is shown to the same one as the bearer
        // credential of a request for this connection's own path: the rules cannot drift apart.
        var request = UpgradeRequest.TryParse(Encoding.ASCII.GetBytes($"GET {connection.Path} HTTP/1.1\r\nAuthorization: Bearer {token}"));
        if (request is null)
        {
            return null;
        }
        try
        {
            var result = await authenticator!.AuthenticateAsync(new UpgradeContext(request, connection.RemoteEndPoint, connection.IsSecure), cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                result = IdentityAdmission.Admit(mode, request.Path, result.Identity!);
            }
            return result.Identity;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning("Checking a refreshed token from {Remote} failed: {Error}", connection.RemoteEndPoint, ex.GetType().Name);
            return null;
        }
    }
}

/// <summary>A client's token refresh command.</summary>
internal sealed class RefreshCommand
{
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("token")]
    public string? Token { get; init; }
}

[JsonSourceGenerationOptions(AllowTrailingCommas = false)]
[JsonSerializable(typeof(RefreshCommand))]
internal sealed partial class RefreshJsonContext : JsonSerializerContext;
