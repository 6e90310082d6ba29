using System.Globalization;
using System.Text;
using System.Text.Json;
using Fleck.Chat.Rooms;

namespace Fleck.Chat.Redis;

/// <summary>A numbered message as the stream scripts keep and publish it: "offset json".</summary>
internal static class StreamItem
{
    public static bool TryParse(ReadOnlySpan<byte> item, out RoomEntry entry)
    {
        entry = null!;
        var space = item.IndexOf((byte)' ');
        if (space <= 0 || !long.TryParse(Encoding.ASCII.GetString(item[..space]), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return false;
        }
        try
        {
            if (JsonSerializer.Deserialize(item[(space + 1)..], RedisJsonContext.Default.StoredMessage) is not { } stored)
            {
                return false;
            }
            entry = new RoomEntry(stored.Name, stored.Msg, stored.Ts, offset) { Id = stored.Id, To = stored.To };
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
