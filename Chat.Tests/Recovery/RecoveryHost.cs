using System.Text.Json;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Recovery;

/// <summary>Starts the real host in nick-broadcast (or rooms) mode and speaks its resume protocol.</summary>
internal static class RecoveryHost
{
    public static Task<HostProcess> StartAsync(CancellationToken ct, params string[] extra) =>
        HostProcess.StartReadyAsync(ct, [.. HostProcess.OnLoopback("nick-broadcast"), "--rate", "0", .. extra]);

    /// <summary>Connects as <paramref name="nickname"/> with <paramref name="query"/> and returns the client with its users event.</summary>
    public static async Task<(TypedClient Client, JsonElement Users)> JoinAsync(HostProcess host, string nickname, CancellationToken ct, string query = "")
    {
        var client = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/" + nickname + query, ct);
        return (client, await client.ReceiveEventAsync("users", ct));
    }

    /// <summary>Sends <paramref name="text"/> and waits for its echo; returns its offset.</summary>
    public static async Task<long> SayAsync(TypedClient client, string text, CancellationToken ct)
    {
        await client.SendJsonAsync(new { msg = text }, ct);
        while (true)
        {
            var e = await client.ReceiveEventAsync("message", ct);
            if (e.GetProperty("msg").GetString() == text)
            {
                return e.GetProperty("offset").GetInt64();
            }
        }
    }

    /// <summary>"type:offset:msg" of each event, "recovered:true:2" for a recovered event: one string that shows order and content.</summary>
    public static string Summary(JsonElement e)
    {
        var type = e.GetProperty("type").GetString();
        return type switch
        {
            "recovered" => e.TryGetProperty("count", out var count)
                ? $"recovered:{e.GetProperty("recovered").GetBoolean().ToString().ToLowerInvariant()}:{count.GetInt32()}"
                : $"recovered:{e.GetProperty("recovered").GetBoolean().ToString().ToLowerInvariant()}",
            "history" or "message" => $"{type}:{e.GetProperty("offset").GetInt64()}:{e.GetProperty("msg").GetString()}",
            _ => type!,
        };
    }

    public static bool IsMessage(JsonElement e, string text) =>
        e.GetProperty("type").GetString() == "message" && e.GetProperty("msg").GetString() == text;
}
