namespace Fleck.Chat.Rooms;

/// <summary>A page of a stream's kept messages, older than a given offset (see <see cref="Scaling.IStreamLog.ReadPageAsync"/>).</summary>
/// <param name="Messages">The messages, oldest first, consecutive.</param>
/// <param name="More">Whether a message older than the first of <paramref name="Messages"/> is still kept.</param>
public sealed record StreamPage(IReadOnlyList<RoomEntry> Messages, bool More)
{
    /// <summary>No messages, none older: what a stream that does not exist gives.</summary>
    public static StreamPage Empty { get; } = new([], false);

    /// <summary>
    /// The page of <paramref name="kept"/> (oldest first, consecutive) below <paramref name="before"/>
    /// (all of them when null): its newest <paramref name="limit"/>.
    /// </summary>
    internal static StreamPage Of(IReadOnlyList<RoomEntry> kept, long? before, int limit)
    {
        var end = kept.Count;
        while (end > 0 && before is { } b && kept[end - 1].Offset >= b)
        {
            end--;
        }
        var start = Math.Max(0, end - limit);
        var page = new RoomEntry[end - start];
        for (var i = start; i < end; i++)
        {
            page[i - start] = kept[i];
        }
        return new StreamPage(page, start > 0);
    }
}
