namespace Fleck.Chat.Redis;

/// <summary>The scripts of history pages and read markers; they read a stream without creating it or marking it used.</summary>
internal static partial class RoomScripts
{
    /// <summary>
    /// A page of older history. The list holds consecutive offsets ending at <c>seq</c>, so the entry
    /// with offset o is at index o − first. KEYS: stream hash, history. ARGV: before (0: latest), limit.
    /// Returns { items, more } (more 1 or 0); no items and 0 for a stream that does not exist.
    /// </summary>
    public const string Page = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return { {}, 0 } end
        local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
        local count = redis.call('LLEN', KEYS[2])
        local first = seq - count + 1
        local last = seq
        local before = tonumber(ARGV[1])
        if before > 0 and before - 1 < last then last = before - 1 end
        local hi = last - first
        if hi < 0 then return { {}, 0 } end
        local lo = hi - tonumber(ARGV[2]) + 1
        if lo < 0 then lo = 0 end
        local more = 0
        if lo > 0 then more = 1 end
        return { redis.call('LRANGE', KEYS[2], lo, hi), more }
        """;

    /// <summary>
    /// Moves a user's read marker forward, capped at the stream's latest offset; the markers' hash
    /// expires with the stream. KEYS: stream hash, read markers. ARGV: user, offset.
    /// Returns the new marker, or -1 when it did not move (or the stream does not exist).
    /// </summary>
    public const string MarkRead = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
        local offset = tonumber(ARGV[2])
        if offset > seq then offset = seq end
        if offset <= tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0') then return -1 end
        redis.call('HSET', KEYS[2], ARGV[1], offset)
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
        return offset
        """;
}
