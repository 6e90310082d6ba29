using System.Text;
using System.Text.Json;

namespace Fleck.Chat.Tests.Modes.Support;

/// <summary>Reads a <see cref="TypedClient"/>'s messages as the JSON events of the nickname modes.</summary>
internal static class TypedClientEvents
{
    /// <summary>The next message, parsed as a JSON event.</summary>
    public static async Task<JsonElement> NextEventAsync(this TypedClient client, CancellationToken ct)
    {
        var (_, data) = await client.ReceiveAsync(ct);
        return JsonDocument.Parse(Encoding.UTF8.GetString(data)).RootElement;
    }
}
