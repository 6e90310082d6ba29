namespace Fleck.Chat.Redis;

/// <summary>
/// The Lua scripts of rooms. Each runs atomically, which is what the joiner's guarantee rests on:
/// a message is numbered, kept and published in one step, and a joiner reads offset and history in
/// one step, so every message is either in what the joiner read or published after it.
/// </summary>
internal static class RoomScripts
{
    /// <summary>
    /// Numbers, keeps and publishes one message.
    /// KEYS: seq, epoch, history. ARGV: epoch to make if the stream has none, entry JSON, history
    /// capacity, channel name. Publishes <c>M&lt;offset&gt; &lt;json&gt;</c>; returns the offset.
    /// </summary>
    public const string Append = """
        if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('SET', KEYS[2], ARGV[1]) end
        local n = redis.call('INCR', KEYS[1])
        local item = n .. ' ' .. ARGV[2]
        local capacity = tonumber(ARGV[3])
        if capacity > 0 then
          redis.call('RPUSH', KEYS[3], item)
          redis.call('LTRIM', KEYS[3], -capacity, -1)
        end
        redis.call('PUBLISH', ARGV[4], 'M' .. item)
        return n
        """;

    /// <summary>
    /// Reads a stream: epoch (made if missing), latest offset, last N entries.
    /// KEYS: seq, epoch, history. ARGV: epoch to make if the stream has none, N.
    /// </summary>
    public const string Read = """
        if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('SET', KEYS[2], ARGV[1]) end
        local count = tonumber(ARGV[2])
        local history = {}
        if count > 0 then history = redis.call('LRANGE', KEYS[3], -count, -1) end
        return { redis.call('GET', KEYS[2]), tonumber(redis.call('GET', KEYS[1]) or '0'), history }
        """;

    /// <summary>
    /// One more connection of a nickname in a room; the room's distinct count goes up on the first.
    /// KEYS: room members hash, room index. ARGV: nickname, room.
    /// </summary>
    public const string AddMember = """
        if redis.call('HINCRBY', KEYS[1], ARGV[1], 1) == 1 then redis.call('ZINCRBY', KEYS[2], 1, ARGV[2]) end
        return 1
        """;

    /// <summary>
    /// One connection fewer; the last one removes the nickname, and an empty room leaves the index.
    /// KEYS: room members hash, room index. ARGV: nickname, room.
    /// </summary>
    public const string RemoveMember = """
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
        if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then
          redis.call('HDEL', KEYS[1], ARGV[1])
          if tonumber(redis.call('ZINCRBY', KEYS[2], -1, ARGV[2])) <= 0 then redis.call('ZREM', KEYS[2], ARGV[2]) end
        end
        return 1
        """;
}
