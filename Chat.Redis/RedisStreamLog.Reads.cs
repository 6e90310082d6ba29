using Fleck.Chat.Rooms;
using StackExchange.Redis;

namespace Fleck.Chat.Redis;

/// <summary>Pages of older history and read markers, each one script (or one read) that neither creates a stream nor marks it used.</summary>
internal sealed partial class RedisStreamLog
{
    /// <inheritdoc />
    public async ValueTask<StreamPage> ReadPageAsync(string stream, long? before, int limit, CancellationToken cancellationToken)
    {
        RedisResult[] parts;
        try
        {
            parts = (RedisResult[])(await context.Db.ScriptEvaluateAsync(RoomScripts.Page,
                [Keys.Stream(stream), Keys.History(stream)],
                [before ?? 0, Math.Max(1, limit)]).WaitAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            throw RedisContext.Unavailable(ex);
        }
        return new StreamPage(Entries(parts[0]), (long)parts[1] == 1);
    }

    /// <summary>The entries of a list of stream items (<c>"offset json"</c>), oldest first.</summary>
    private static List<RoomEntry> Entries(RedisResult items)
    {
        var entries = new List<RoomEntry>();
        foreach (var item in (RedisResult[])items!)
        {
            if (StreamItem.TryParse((byte[])item!, out var entry))
            {
                entries.Add(entry);
            }
        }
        return entries;
    }

    /// <inheritdoc />
    public async ValueTask<long?> MarkReadAsync(string stream, string user, long offset, CancellationToken cancellationToken)
    {
        try
        {
            var moved = (long)await context.Db.ScriptEvaluateAsync(RoomScripts.MarkRead,
                [Keys.Stream(stream), Keys.Reads(stream)], [user, offset]).WaitAsync(cancellationToken).ConfigureAwait(false);
            return moved < 0 ? null : moved;
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            throw RedisContext.Unavailable(ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<long> GetReadAsync(string stream, string user, CancellationToken cancellationToken)
    {
        try
        {
            var value = await context.Db.HashGetAsync(Keys.Reads(stream), user).WaitAsync(cancellationToken).ConfigureAwait(false);
            return value.TryParse(out long offset) ? offset : 0;
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            throw RedisContext.Unavailable(ex);
        }
    }
}
