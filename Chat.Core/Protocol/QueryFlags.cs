namespace Fleck.Chat.Protocol;

/// <summary>Flags a client sets in the upgrade's query string.</summary>
internal static class QueryFlags
{
    /// <summary>Whether the client asked for Part 3 events (<c>v=3</c>): typing, read markers, its own private echoes.</summary>
    public static bool HasV3(string query)
    {
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "v=3")
            {
                return true;
            }
        }
        return false;
    }
}
