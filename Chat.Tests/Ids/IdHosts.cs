using System.Text.Json;
using Fleck.Chat.Tests.Identity;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Ids;

/// <summary>
/// One or two host processes serving one chat (two on one redis-server, or the same host twice), and
/// how the id tests connect to them: by nickname, or signed in with a token.
/// </summary>
internal sealed record IdHosts(HostProcess One, HostProcess Two)
{
    /// <summary>The flags of a host for these tests: no rate limit, and identity when <paramref name="identity"/>.</summary>
    public static string[] Args(string mode, bool identity, params string[] extra) =>
        [.. HostProcess.OnLoopback(mode), "--rate", "0", .. identity ? new[] { "--jwt-secret", Tokens.Secret } : [], .. extra];

    public static async Task<(TypedClient Client, JsonElement Users)> JoinAsync(HostProcess host, string nickname, CancellationToken ct, string query = "")
    {
        var client = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/" + nickname + query, ct);
        return (client, await client.ReceiveEventAsync("users", ct));
    }

    /// <summary>Signs in as <paramref name="user"/>; <paramref name="query"/> adds to the query string (<c>&amp;v=3</c>, a resume).</summary>
    public static async Task<(TypedClient Client, JsonElement Users)> SignInAsync(HostProcess host, string user, CancellationToken ct, string query = "")
    {
        var client = await TypedClient.ConnectAsync(host.WebSocketPort, $"/websocket?access_token={Tokens.For(user)}{query}", ct);
        return (client, await client.ReceiveEventAsync("users", ct));
    }

    public static bool IsEvent(JsonElement e, string type, string msg) => e.Type() == type && e.Str("msg") == msg;

    /// <summary>Whether the ack says duplicate (absent means false).</summary>
    public static bool Duplicate(JsonElement ack) => ack.TryGetProperty("duplicate", out var d) && d.GetBoolean();
}
