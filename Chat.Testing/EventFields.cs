using System.Text.Json;

namespace Fleck.Chat.Tests.Support;

/// <summary>Short reads of a chat event's fields, for assertions that look at many events.</summary>
internal static class EventFields
{
    public static string Type(this JsonElement e) => e.GetProperty("type").GetString()!;

    public static string? Str(this JsonElement e, string property) => e.TryGetProperty(property, out var p) ? p.GetString() : null;

    public static string Epoch(this JsonElement e) => e.GetProperty("epoch").GetString()!;

    public static long Offset(this JsonElement e) => e.GetProperty("offset").GetInt64();
}
