namespace Fleck.Chat.Redis;

/// <summary>
/// The Lua scripts of streams and room presence. Each runs atomically, which is what the joiner's guarantee rests on:
/// a message is numbered, kept and published in one step, and a joiner reads offset and history in
/// one step, so every message is either in what the joiner read or published after it.
/// </summary>
internal static partial class RoomScripts
{
    /// <summary>
    /// What the stream scripts below share (KEYS[1] stream hash, KEYS[2] history, KEYS[3] count of
    /// streams; <c>ttl</c>, <c>now</c> in milliseconds, <c>room</c>; the read markers' hash is named from
    /// KEYS[1], <c>…:stream</c> → <c>…:reads</c>, see <see cref="RoomKeys"/>): <c>touch</c> marks a stream used
    /// (its keys expire a time to live from now, and its score in the count of streams says when);
    /// <c>create</c> starts it afresh under a new epoch; <c>epochOf</c> gives its epoch, creating the
    /// stream under <c>made</c> when it has none.
    /// </summary>
    private const string StreamFunctions = """
        local reads = string.sub(KEYS[1], 1, -7) .. 'reads'
        local function touch(ttl, now, room)
          redis.call('PEXPIRE', KEYS[1], ttl)
          redis.call('PEXPIRE', KEYS[2], ttl)
          redis.call('PEXPIRE', reads, ttl)
          redis.call('ZADD', KEYS[3], now + ttl, room)
        end
        local function create(epoch, ttl, now, room)
          redis.call('DEL', KEYS[2])
          redis.call('DEL', reads)
          redis.call('HSET', KEYS[1], 'epoch', epoch, 'bytes', 0)
          redis.call('ZADD', KEYS[3], now + ttl, room)
        end
        local function epochOf(made, ttl, now, room)
          local epoch = redis.call('HGET', KEYS[1], 'epoch')
          if not epoch then
            epoch = made
            create(epoch, ttl, now, room)
          end
          return epoch
        end
        """;

    /// <summary>
    /// Numbers, keeps and publishes one message, in one stream or (a private message) in two, and
    /// records a send's id, all in one step: a second send of the same id, through any node, finds
    /// the record and is not numbered. Epoch, latest offset and kept bytes live in one hash, so Redis
    /// never keeps one without the other; a stream found without them (new, expired, or lost by
    /// Redis) gets a new epoch and loses whatever history was left, so offsets from 1 never meet
    /// older ones. A history keeps the last <c>capacity</c> messages and at most <c>retainBytes</c> of
    /// text (the hash's <c>bytes</c>), whichever is reached first; a message that alone is larger empties it.
    /// <para>
    /// This runs once per message on the shared Redis, so it reads the hash once and writes it once,
    /// takes the list's length from <c>RPUSH</c>, and hands numbers to Redis as the strings they came
    /// in as: each conversion of a Lua number to a string is a <c>printf</c> inside Redis.
    /// </para>
    /// KEYS: stream hash (epoch, seq, bytes), history, count of streams, the id's record (any key when
    /// there is no id), then the second stream's hash and history, if any.
    /// ARGV: epoch to make if the stream has none, entry JSON, capacity, channel name, retain bytes,
    /// the text's UTF-8 bytes, time to live (ms), when the keys expire (Unix ms, now plus the time to
    /// live), stream, origin mark ("0": none), dedup window (ms; "0": no id), then the second
    /// stream's epoch to make, channel and name.
    /// Publishes <c>M&lt;epoch&gt; &lt;offset&gt; &lt;json&gt;</c> (with an origin mark:
    /// <c>O&lt;origin&gt; &lt;epoch&gt; ...</c>). Returns { 0, offset } or, for an id already recorded,
    /// { 1, "offset stream" }.
    /// </summary>
    public const string Append = """
        local capacity, maxBytes, size = tonumber(ARGV[3]), tonumber(ARGV[5]), tonumber(ARGV[6])
        local ttl, expires, window = ARGV[7], ARGV[8], ARGV[11]
        if window ~= '0' then
          local seen = redis.call('GET', KEYS[4])
          if seen then return { 1, seen } end
        end
        local function append(hash, list, made, channel, room)
          local state = redis.call('HMGET', hash, 'epoch', 'seq', 'bytes')
          local epoch, n, bytes = state[1], tonumber(state[2]) or 0, tonumber(state[3]) or 0
          if not epoch then
            epoch, n, bytes = made, 0, 0
            redis.call('DEL', list)
          end
          local seq = string.format('%d', n + 1)
          local item = seq .. ' ' .. ARGV[2]
          if capacity > 0 and size <= maxBytes then
            local count = redis.call('RPUSH', list, item)
            bytes = bytes + size
            while count > capacity or bytes > maxBytes do
              local old = redis.call('LPOP', list)
              if not old then break end
              local ok, decoded = pcall(cjson.decode, string.sub(old, string.find(old, ' ', 1, true) + 1))
              if ok and type(decoded) == 'table' and type(decoded.msg) == 'string' then bytes = bytes - #decoded.msg end
              count = count - 1
            end
          else
            redis.call('DEL', list)
            bytes = 0
          end
          redis.call('HSET', hash, 'epoch', epoch, 'seq', seq, 'bytes', string.format('%d', bytes))
          redis.call('PEXPIRE', hash, ttl)
          redis.call('PEXPIRE', list, ttl)
          redis.call('ZADD', KEYS[3], expires, room)
          local tag = 'M'
          if ARGV[10] ~= '0' then tag = 'O' .. ARGV[10] .. ' ' end
          redis.call('PUBLISH', channel, tag .. epoch .. ' ' .. item)
          return seq
        end
        local seq = append(KEYS[1], KEYS[2], ARGV[1], ARGV[4], ARGV[9])
        if #KEYS >= 6 then append(KEYS[5], KEYS[6], ARGV[12], ARGV[13], ARGV[14]) end
        if window ~= '0' then redis.call('SET', KEYS[4], seq .. ' ' .. ARGV[9], 'PX', window) end
        return { 0, tonumber(seq) }
        """;

    /// <summary>
    /// Records a send that was not numbered (a private message without inbox) unless its id is
    /// recorded already. KEYS: the id's record. ARGV: "offset stream", dedup window (ms). Returns the
    /// earlier record, or nil when this one was recorded.
    /// </summary>
    public const string RecordSent = """
        local seen = redis.call('GET', KEYS[1])
        if seen then return seen end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return false
        """;

    /// <summary>
    /// Reads a stream: epoch (made as in <see cref="Append"/> if missing), latest offset, last N entries; marks it used.
    /// KEYS: stream hash, history, count of streams. ARGV: epoch to make if the stream has none, N, time to live (ms), now (ms), room.
    /// </summary>
    public const string Read = StreamFunctions + "\n" + """
        local ttl, now = tonumber(ARGV[3]), tonumber(ARGV[4])
        local epoch = epochOf(ARGV[1], ttl, now, ARGV[5])
        touch(ttl, now, ARGV[5])
        local count = tonumber(ARGV[2])
        local history = {}
        if count > 0 then history = redis.call('LRANGE', KEYS[2], -count, -1) end
        return { epoch, tonumber(redis.call('HGET', KEYS[1], 'seq') or '0'), history }
        """;

    /// <summary>
    /// Makes sure a room's stream exists before a join, unless that would make more streams than
    /// allowed: streams whose time ran out leave the count first. Marks it used.
    /// KEYS: stream hash, history, count of streams. ARGV: epoch to make, time to live (ms), now (ms), room, most streams.
    /// Returns 1 when the stream exists now, 0 when it was refused.
    /// </summary>
    public const string Open = StreamFunctions + "\n" + """
        local ttl, now = tonumber(ARGV[2]), tonumber(ARGV[3])
        if redis.call('EXISTS', KEYS[1]) == 0 then
          redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
          if not redis.call('ZSCORE', KEYS[3], ARGV[4]) and redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[5]) then
            return 0
          end
          create(ARGV[1], ttl, now, ARGV[4])
        end
        touch(ttl, now, ARGV[4])
        return 1
        """;

    /// <summary>
    /// Keeps a stream that a node still has members in from expiring (or marks it used as its last
    /// member there leaves). Nothing happens to a stream that is gone.
    /// KEYS: stream hash, history, count of streams. ARGV: time to live (ms), now (ms), room.
    /// </summary>
    public const string Touch = StreamFunctions + "\n" + """
        if redis.call('EXISTS', KEYS[1]) == 1 then
          touch(tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3])
        end
        return 0
        """;

    /// <summary>Drops from the count of streams those whose time ran out (their keys expired with it). KEYS: count of streams. ARGV: now (ms).</summary>
    public const string PruneCount = """
        return redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        """;

    /// <summary>
    /// One more connection of a nickname in a room; the room's distinct count goes up on the first.
    /// The node's own record (room, nickname → connections) lets a survivor undo it if the node dies.
    /// KEYS: room members hash, room index, node's room record. ARGV: nickname, room, "room\nnickname".
    /// Returns 1 when this is the nickname's first connection in the room on any node, else 0.
    /// </summary>
    public const string AddMember = """
        local first = 0
        if redis.call('HINCRBY', KEYS[1], ARGV[1], 1) == 1 then
          redis.call('ZINCRBY', KEYS[2], 1, ARGV[2])
          first = 1
        end
        redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
        return first
        """;

    /// <summary>
    /// One connection fewer; the last one removes the nickname, and an empty room leaves the index.
    /// KEYS: room members hash, room index, node's room record. ARGV: nickname, room, "room\nnickname".
    /// Returns 1 when the nickname has no connection left in the room on any node (also when it was
    /// not recorded at all, e.g. Redis lost its data), 0 while another connection remains.
    /// </summary>
    public const string RemoveMember = """
        if redis.call('HINCRBY', KEYS[3], ARGV[3], -1) <= 0 then redis.call('HDEL', KEYS[3], ARGV[3]) end
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 1 end
        if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then
          redis.call('HDEL', KEYS[1], ARGV[1])
          if tonumber(redis.call('ZINCRBY', KEYS[2], -1, ARGV[2])) <= 0 then redis.call('ZREM', KEYS[2], ARGV[2]) end
          return 1
        end
        return 0
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
