using System.Text.Json;
using Fleck.Chat.Tests.Modes.Support;

namespace Fleck.Chat.Tests.Streams;

/// <summary>Rooms mode's commands over a <see cref="TypedClient"/>, each waiting for the answer that completes it.</summary>
internal static class RoomsProbe
{
    /// <summary>Joins <paramref name="room"/> and returns its <c>joined</c> event.</summary>
    public static async Task<JsonElement> JoinAsync(this TypedClient client, string room, CancellationToken ct)
    {
        await client.SendJsonAsync(new { type = "join", room }, ct);
        return await client.ReceiveEventAsync("joined", ct, e => IsOf(e, room));
    }

    /// <summary>Joins <paramref name="room"/> or is refused: the first <c>joined</c> or <c>error</c> of that room.</summary>
    public static async Task<JsonElement> TryJoinAsync(this TypedClient client, string room, CancellationToken ct)
    {
        await client.SendJsonAsync(new { type = "join", room }, ct);
        while (true)
        {
            var (_, data) = await client.ReceiveAsync(ct);
            var e = JsonDocument.Parse(data).RootElement;
            if (IsOf(e, room) && e.GetProperty("type").GetString() is "joined" or "error")
            {
                return e;
            }
        }
    }

    /// <summary>Joins resuming from <paramref name="since"/> in <paramref name="epoch"/>: the joined event, the history events and the recovered event.</summary>
    public static async Task<(JsonElement Joined, List<long> History, JsonElement Recovered)> ResumeAsync(this TypedClient client, string room, long since, string epoch, CancellationToken ct)
    {
        await client.SendJsonAsync(new { type = "join", room, since, epoch }, ct);
        JsonElement joined = default;
        var history = new List<long>();
        while (true)
        {
            var (_, data) = await client.ReceiveAsync(ct);
            var e = JsonDocument.Parse(data).RootElement;
            if (!IsOf(e, room))
            {
                continue;
            }
            switch (e.GetProperty("type").GetString())
            {
                case "joined":
                    joined = e;
                    break;
                case "history":
                    history.Add(e.Offset());
                    break;
                case "recovered":
                    return (joined, history, e);
            }
        }
    }

    /// <summary>Sends <paramref name="msg"/> to <paramref name="room"/> and waits for its echo; returns its offset.</summary>
    public static async Task<long> SayAndGetOffsetAsync(this TypedClient client, string room, string msg, CancellationToken ct)
    {
        await client.SendJsonAsync(new { type = "message", room, msg }, ct);
        var e = await client.ReceiveEventAsync("message", ct, ev => IsOf(ev, room) && ev.GetProperty("msg").GetString() == msg);
        return e.Offset();
    }

    public static async Task LeaveAsync(this TypedClient client, string room, CancellationToken ct)
    {
        await client.SendJsonAsync(new { type = "leave", room }, ct);
        await client.ReceiveEventAsync("left", ct, e => IsOf(e, room));
    }

    private static bool IsOf(JsonElement e, string room) => e.TryGetProperty("room", out var r) && r.GetString() == room;
}
