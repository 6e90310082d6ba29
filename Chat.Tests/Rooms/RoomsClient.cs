using System.Text.Json;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Rooms;

/// <summary>Rooms-mode commands and waits on top of a <see cref="TypedClient"/>.</summary>
internal static class RoomsClient
{
    public static Task JoinRoomAsync(this TypedClient client, string room, CancellationToken ct) =>
        client.SendJsonAsync(new { type = "join", room }, ct);

    public static Task LeaveRoomAsync(this TypedClient client, string room, CancellationToken ct) =>
        client.SendJsonAsync(new { type = "leave", room }, ct);

    public static Task SayAsync(this TypedClient client, string room, string msg, CancellationToken ct) =>
        client.SendJsonAsync(new { type = "message", room, msg }, ct);

    /// <summary>Joins and waits for the <c>joined</c> event.</summary>
    public static async Task<JsonElement> JoinedAsync(this TypedClient client, string room, CancellationToken ct)
    {
        await client.JoinRoomAsync(room, ct);
        return await client.ReceiveEventAsync("joined", ct);
    }

    /// <summary>Skips events until one of <paramref name="type"/> for <paramref name="room"/>.</summary>
    public static async Task<JsonElement> ReceiveRoomEventAsync(this TypedClient client, string type, string room, CancellationToken ct)
    {
        while (true)
        {
            var e = await client.ReceiveEventAsync(type, ct);
            if (e.TryGetProperty("room", out var r) && r.GetString() == room)
            {
                return e;
            }
        }
    }

    /// <summary>Events up to and including the message carrying <paramref name="marker"/>: a negative check ends on it.</summary>
    public static async Task<List<JsonElement>> ReceiveUntilMessageAsync(this TypedClient client, string marker, CancellationToken ct)
    {
        var seen = new List<JsonElement>();
        while (true)
        {
            var e = await client.ReceiveEventAsync(ct);
            seen.Add(e);
            if (e.GetProperty("type").GetString() == "message" && e.GetProperty("msg").GetString() == marker)
            {
                return seen;
            }
        }
    }

    public static string Type(this JsonElement e) => e.GetProperty("type").GetString()!;

    public static string? Str(this JsonElement e, string property) => e.TryGetProperty(property, out var p) ? p.GetString() : null;
}
