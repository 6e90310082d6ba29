using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Fleck.Chat.Tests.Modes.Support;

namespace Fleck.Chat.Tests.Streams;

/// <summary>The JSON modes' events over a <see cref="TypedClient"/>: send a command, wait for an event of a type.</summary>
internal static class JsonEvents
{
    public static Task SendJsonAsync(this TypedClient client, object command, CancellationToken ct) =>
        client.SendTextAsync(JsonSerializer.Serialize(command), ct);

    /// <summary>The next event of <paramref name="type"/> (that <paramref name="match"/> accepts); others before it are skipped.</summary>
    public static async Task<JsonElement> ReceiveEventAsync(this TypedClient client, string type, CancellationToken ct, Func<JsonElement, bool>? match = null)
    {
        while (true)
        {
            var (kind, data) = await client.ReceiveAsync(ct);
            if (kind != WebSocketMessageType.Text)
            {
                continue;
            }
            var e = JsonDocument.Parse(Encoding.UTF8.GetString(data)).RootElement;
            if (e.GetProperty("type").GetString() == type && (match is null || match(e)))
            {
                return e;
            }
        }
    }

    /// <summary>Every event up to and including the first of <paramref name="type"/>.</summary>
    public static async Task<List<JsonElement>> ReceiveUntilAsync(this TypedClient client, string type, CancellationToken ct)
    {
        var events = new List<JsonElement>();
        while (true)
        {
            var (_, data) = await client.ReceiveAsync(ct);
            var e = JsonDocument.Parse(Encoding.UTF8.GetString(data)).RootElement;
            events.Add(e);
            if (e.GetProperty("type").GetString() == type)
            {
                return events;
            }
        }
    }

    public static string Epoch(this JsonElement e) => e.GetProperty("epoch").GetString()!;

    public static long Offset(this JsonElement e) => e.GetProperty("offset").GetInt64();
}
