namespace Fleck.Chat.Redis;

/// <summary>
/// The Lua scripts of rooms. Each runs atomically, which is what the joiner's guarantee rests on:
/// a message is numbered, kept and published in one step, and a joiner reads offset and history in
/// one step, so every message is either in what the joiner read or published after it.
/// </summary>
internal static class RoomScripts
{
    /// <summary>
    /// Numbers, keeps and publishes one message. Epoch and latest offset live in one hash, so Redis
    /// never keeps one without the other; a stream found without them (new, or lost by Redis) gets a
    /// new epoch and loses whatever history was left, so offsets from 1 never meet older ones.
    /// KEYS: stream hash (epoch, seq), history. ARGV: epoch to make if the stream has none, entry
    /// JSON, history capacity, channel name. Publishes <c>M&lt;epoch&gt; &lt;offset&gt; &lt;json&gt;</c>; returns the offset.
    /// </summary>
    public const string Append = """
        local epoch = redis.call('HGET', KEYS[1], 'epoch')
        if not epoch then
          epoch = ARGV[1]
          redis.call('DEL', KEYS[2])
          redis.call('HSET', KEYS[1], 'epoch', epoch)
        end
        local n = redis.call('HINCRBY', KEYS[1], 'seq', 1)
        local item = n .. ' ' .. ARGV[2]
        local capacity = tonumber(ARGV[3])
        if capacity > 0 then
          redis.call('RPUSH', KEYS[2], item)
          redis.call('LTRIM', KEYS[2], -capacity, -1)
        end
        redis.call('PUBLISH', ARGV[4], 'M' .. epoch .. ' ' .. item)
        return n
        """;

    /// <summary>
    /// Reads a stream: epoch (made as in <see cref="Append"/> if missing), latest offset, last N entries.
    /// KEYS: stream hash, history. ARGV: epoch to make if the stream has none, N.
    /// </summary>
    public const string Read = """
        local epoch = redis.call('HGET', KEYS[1], 'epoch')
        if not epoch then
          epoch = ARGV[1]
          redis.call('DEL', KEYS[2])
          redis.call('HSET', KEYS[1], 'epoch', epoch)
        end
        local count = tonumber(ARGV[2])
        local history = {}
        if count > 0 then history = redis.call('LRANGE', KEYS[2], -count, -1) end
        return { epoch, tonumber(redis.call('HGET', KEYS[1], 'seq') or '0'), history }
        """;

    /// <summary>
    /// One more connection of a nickname in a room; the room's distinct count goes up on the first.
    /// The node's own record (room, nickname → connections) lets a survivor undo it if the node dies.
    /// KEYS: room members hash, room index, node's room record. ARGV: nickname, room, "room\nnickname".
    /// </summary>
    public const string AddMember = """
        if redis.call('HINCRBY', KEYS[1], ARGV[1], 1) == 1 then redis.call('ZINCRBY', KEYS[2], 1, ARGV[2]) end
        redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
        return 1
        """;

    /// <summary>
    /// One connection fewer; the last one removes the nickname, and an empty room leaves the index.
    /// KEYS: room members hash, room index, node's room record. ARGV: nickname, room, "room\nnickname".
    /// </summary>
    public const string RemoveMember = """
        if redis.call('HINCRBY', KEYS[3], ARGV[3], -1) <= 0 then redis.call('HDEL', KEYS[3], ARGV[3]) end
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
        if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then
          redis.call('HDEL', KEYS[1], ARGV[1])
          if tonumber(redis.call('ZINCRBY', KEYS[2], -1, ARGV[2])) <= 0 then redis.call('ZREM', KEYS[2], ARGV[2]) end
        end
        return 1
        """;

    /// <summary>
    /// Undoes a dead node's room presence: each (room, nickname) it recorded loses that node's
    /// connections; a nickname with none left leaves the room, whose channel gets <c>L&lt;nickname&gt;</c>
    /// so the nodes still in it tell their members. Runs once per dead node (after the sweep that won).
    /// KEYS: the dead node's room record, room index. ARGV: key prefix of rooms (<c>&lt;prefix&gt;room:</c>).
    /// Returns how many (room, nickname) pairs were undone.
    /// </summary>
    public const string SweepRooms = """
        local entries = redis.call('HGETALL', KEYS[1])
        for i = 1, #entries, 2 do
          local sep = string.find(entries[i], '\n', 1, true)
          local room = string.sub(entries[i], 1, sep - 1)
          local nick = string.sub(entries[i], sep + 1)
          local members = ARGV[1] .. room .. ':members'
          if redis.call('HEXISTS', members, nick) == 1 then
            if redis.call('HINCRBY', members, nick, -tonumber(entries[i + 1])) <= 0 then
              redis.call('HDEL', members, nick)
              if tonumber(redis.call('ZINCRBY', KEYS[2], -1, room)) <= 0 then redis.call('ZREM', KEYS[2], room) end
              redis.call('PUBLISH', ARGV[1] .. room, 'L' .. nick)
            end
          end
        end
        redis.call('DEL', KEYS[1])
        return #entries / 2
        """;
}
