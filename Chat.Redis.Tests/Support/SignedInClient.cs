using Fleck.Chat.Tests.Identity;

namespace Fleck.Chat.Redis.Tests.Support;

/// <summary>Chat clients of a host started with <c>--jwt-secret</c> <see cref="Tokens.Secret"/>, signed in with a token.</summary>
internal static class SignedInClient
{
    /// <summary>Connects to <paramref name="host"/> as <paramref name="name"/> and waits for the users event that confirms it.</summary>
    public static async Task<TypedClient> ConnectAsync(HostProcess host, string name, CancellationToken ct)
    {
        var client = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket?access_token=" + Tokens.For(name), ct);
        try
        {
            await client.ReceiveEventAsync("users", ct);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }
}
