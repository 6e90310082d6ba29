using System.Text.Json;
using Fleck.Chat.Tests.Identity;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Streams;

/// <summary>The history, typing and read commands as a test speaks them, and reads of their answers.</summary>
internal static class StreamCommandsClient
{
    /// <summary>A connection signed in as <paramref name="name"/> (with <c>v=3</c> unless told otherwise), with its users event.</summary>
    public static async Task<(TypedClient Client, JsonElement Users)> SignInV3Async(int port, string name, CancellationToken ct, bool v3 = true)
    {
        var client = await TypedClient.ConnectAsync(port, "/websocket?access_token=" + Tokens.For(name) + (v3 ? "&v=3" : ""), ct);
        return (client, await client.ReceiveEventAsync("users", ct));
    }

    /// <summary>Sends a <c>history</c> command (with whatever fields <paramref name="command"/> adds) and returns the next page.</summary>
    public static async Task<JsonElement> PageAsync(this TypedClient client, object command, CancellationToken ct)
    {
        await client.SendTextAsync(HistoryJson(command), ct);
        return await client.ReceiveEventAsync("page", ct);
    }

    /// <summary>Sends <paramref name="command"/> and returns the error it gets.</summary>
    public static async Task<JsonElement> ErrorForAsync(this TypedClient client, string command, CancellationToken ct)
    {
        await client.SendTextAsync(command, ct);
        return await client.ReceiveEventAsync("error", ct);
    }

    public static string HistoryJson(object fields)
    {
        var merged = JsonSerializer.SerializeToNode(fields)!.AsObject();
        merged.Insert(0, "type", "history");
        return merged.ToJsonString();
    }

    public static long[] Offsets(this JsonElement page) => [.. page.GetProperty("messages").EnumerateArray().Select(m => m.Offset())];

    public static bool More(this JsonElement page) => page.GetProperty("more").GetBoolean();

    /// <summary>Waits for the nick-broadcast message carrying <paramref name="text"/> and returns its offset.</summary>
    public static async Task<long> SayAsync(this TypedClient client, string text, CancellationToken ct)
    {
        await client.SendJsonAsync(new { msg = text }, ct);
        return (await client.ReceiveEventAsync("message", e => e.Str("msg") == text, ct)).Offset();
    }

    /// <summary>The types of the events up to and including the message <paramref name="marker"/>.</summary>
    public static async Task<string[]> TypesUntilAsync(this TypedClient client, string marker, CancellationToken ct) =>
        [.. (await client.ReceiveUntilMessageAsync(marker, ct)).Select(e => e.Type())];
}
