using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Fleck.Chat.Modes;
using Fleck.Chat.Rooms;
using Microsoft.AspNetCore.Http;

namespace Fleck.Chat.Host.Http.Api;

/// <summary><c>GET /api/history?room=R&amp;before=N&amp;limit=L</c>: the page a client gets with its <c>history</c> command.</summary>
internal sealed partial class ApiHandler
{
    private async Task<(int, byte[])> HistoryAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!HasRooms && chat.Mode is not NickBroadcastMode)
        {
            return InvalidRequest($"A {chat.Mode.Name} chat keeps no shared history.", null);
        }
        string? room = null;
        if (HasRooms)
        {
            if (RoomRefusal(RoomQuery(request), out var name) is { } refusal)
            {
                return refusal;
            }
            room = name;
        }
        long? before = null;
        if (request.Query.TryGetValue("before", out var beforeText))
        {
            if (!long.TryParse(beforeText.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var b) || b < 1)
            {
                return InvalidRequest("\"before\" must be an integer of at least 1.", "before");
            }
            before = b;
        }
        var limit = 50;
        if (request.Query.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
        {
            return InvalidRequest("\"limit\" must be an integer from 1 to 100.", "limit");
        }
        var page = await chat.GetHistoryAsync(room, before, limit, cancellationToken).ConfigureAwait(false);
        var answer = new PageResponse("page", room, "server", "", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), page.Messages, page.More);
        return (200, JsonSerializer.SerializeToUtf8Bytes(answer, HistoryJsonContext.Default.PageResponse));
    }

    private static (int, byte[]) InvalidRequest(string message, string? field) =>
        (400, JsonSerializer.SerializeToUtf8Bytes(new ApiError("invalid_request", message, field), ApiJsonContext.Default.ApiError));
}

/// <summary>Answer of <c>GET /api/history</c>: the <c>page</c> event of the WebSocket protocol.</summary>
internal sealed record PageResponse(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("room")] string? Room,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("msg")] string Msg,
    [property: JsonPropertyName("ts")] long Ts,
    [property: JsonPropertyName("messages")] IReadOnlyList<RoomEntry> Messages,
    [property: JsonPropertyName("more")] bool More);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PageResponse))]
internal sealed partial class HistoryJsonContext : JsonSerializerContext;
