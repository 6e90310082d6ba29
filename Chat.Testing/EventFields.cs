using System.Text.Json;

namespace Fleck.Chat.Tests.Support;

/// <summary>Short reads of a chat event's fields, for assertions that look at many events.</summary>
internal static class EventFields
{
    public static string Type(this JsonElement e) => e.GetProperty("type").GetString()!;

    public static string? Str(this JsonElement e, string property) => e.TryGetProperty(property, out var p) ? p.GetString() : null;
}
