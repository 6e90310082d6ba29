namespace Fleck.Chat.Redis;

/// <summary>
/// The Lua scripts that keep the shared state consistent: each runs atomically in Redis, so a check
/// and the write that depends on it can never be split by another node. (In Redis Lua a missing
/// key reads as <c>false</c>.)
/// </summary>
internal static class RedisScripts
{
    /// <summary>
    /// Claims a nickname: succeeds when nobody holds it, or when this node already does (a leftover
    /// of a release that failed during an outage; two local members can never race for it, the
    /// claim book sees to that). Records the name in the node's member hash in the same step.
    /// KEYS: claim key, own member hash. ARGV: node id, TTL ms, claim suffix, nickname as typed.
    /// Returns 1 when claimed, 0 when held by another node.
    /// </summary>
    public const string Claim = """
        local holder = redis.call('GET', KEYS[1])
        if holder and holder ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
        return 1
        """;

    /// <summary>
    /// Releases a nickname: deletes the claim only if this node still holds it, and forgets the name
    /// in the node's member hash either way.
    /// KEYS: claim key, own member hash. ARGV: node id, claim suffix.
    /// </summary>
    public const string Release = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
        redis.call('HDEL', KEYS[2], ARGV[2])
        return 1
        """;

    /// <summary>
    /// Claims this node's share of an identified user's name, and tells in the same step whether
    /// another node holds a share: a share is held while it is in that node's member hash, which
    /// is also what presence reads and what a sweep of a dead node clears, so "first" here agrees
    /// with what the other nodes were told.
    /// KEYS: share key, own member hash, node set. ARGV: node id, TTL ms, share suffix, nickname as
    /// typed, member hash prefix, the name's claim suffix.
    /// Returns 2 when no other node holds a share (the user's first), 1 otherwise.
    /// </summary>
    public const string ClaimShare = """
        local first = 2
        for _, id in ipairs(redis.call('SMEMBERS', KEYS[3])) do
          if id ~= ARGV[1] and redis.call('HEXISTS', ARGV[5] .. id, ARGV[6] .. '@' .. id) == 1 then
            first = 1
            break
          end
        end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
        return first
        """;

    /// <summary>
    /// Releases this node's share of a name and tells in the same step whether it was the last.
    /// KEYS: share key, own member hash, node set. ARGV: node id, share suffix, member hash prefix,
    /// the name's claim suffix. Returns 1 when no other node holds a share, 0 otherwise.
    /// </summary>
    public const string ReleaseShare = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
        redis.call('HDEL', KEYS[2], ARGV[2])
        for _, id in ipairs(redis.call('SMEMBERS', KEYS[3])) do
          if id ~= ARGV[1] and redis.call('HEXISTS', ARGV[3] .. id, ARGV[4] .. '@' .. id) == 1 then return 0 end
        end
        return 1
        """;

    /// <summary>
    /// The heartbeat: renews the node's alive key and registers it, and reports (and clears) the
    /// marker a survivor leaves when it took this node for dead.
    /// KEYS: own alive key, node set, own swept marker. ARGV: node id, TTL ms.
    /// Returns 1 if this node had been swept.
    /// </summary>
    public const string Heartbeat = """
        redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
        redis.call('SADD', KEYS[2], ARGV[1])
        return redis.call('DEL', KEYS[3])
        """;

    /// <summary>
    /// Refreshes a batch of this node's claims: a claim still ours gets a new TTL; a missing one (it
    /// expired during an outage, was swept, or Redis lost its data) is claimed again; one that another
    /// node took meanwhile is lost: the existing claim wins.
    /// KEYS: own member hash. ARGV: node id, TTL ms, claim key prefix, then pairs of claim suffix and nickname.
    /// Returns two arrays of claim suffixes: re-claimed, lost.
    /// </summary>
    public const string Refresh = """
        local reclaimed, lost = {}, {}
        for i = 4, #ARGV, 2 do
          local key = ARGV[3] .. ARGV[i]
          local holder = redis.call('GET', key)
          if holder == ARGV[1] then
            redis.call('PEXPIRE', key, ARGV[2])
          elseif not holder then
            redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
            redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
            reclaimed[#reclaimed + 1] = ARGV[i]
          else
            redis.call('HDEL', KEYS[1], ARGV[i])
            lost[#lost + 1] = ARGV[i]
          end
        end
        return {reclaimed, lost}
        """;

    /// <summary>
    /// Sweeps a node that stopped heartbeating. Only one survivor wins the sweep (the SREM), and only
    /// while the node's alive key is really gone. Its claims that still name it are deleted (freeing
    /// the names at once); the names that nobody else has claimed since are announced as lost on the
    /// broadcast channel, in the same atomic step, so every node (the sweeper too) emits the leaves.
    /// A share of an identified user's name (suffix <c>NAME@node</c>) is announced only when no other
    /// node holds a share of that name: the user is still online there.
    /// With force=1 a node sweeps itself on a graceful stop: no marker, no checks.
    /// KEYS: node set, its alive key, its member hash, its swept marker.
    /// ARGV: its node id, claim key prefix, broadcast channel, message header, force, marker TTL ms,
    /// member hash prefix.
    /// Returns the number of names announced, or -1 when there was nothing to sweep.
    /// </summary>
    public const string Sweep = """
        local force = ARGV[5] == '1'
        if not force and redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
        if redis.call('SREM', KEYS[1], ARGV[1]) == 0 and not force then return -1 end
        local others = redis.call('SMEMBERS', KEYS[1])
        local function sharedElsewhere(suffix)
          local name = string.match(suffix, '^(.*)@' .. ARGV[1] .. '$')
          if not name then return false end
          for _, id in ipairs(others) do
            if id ~= ARGV[1] and redis.call('HEXISTS', ARGV[7] .. id, name .. '@' .. id) == 1 then return true end
          end
          return false
        end
        local gone = {}
        local entries = redis.call('HGETALL', KEYS[3])
        for i = 1, #entries, 2 do
          local key = ARGV[2] .. entries[i]
          local holder = redis.call('GET', key)
          if holder == ARGV[1] then redis.call('DEL', key) end
          if (holder == ARGV[1] or not holder) and not sharedElsewhere(entries[i]) then
            gone[#gone + 1] = entries[i + 1]
          end
        end
        redis.call('DEL', KEYS[3], KEYS[2])
        if not force then redis.call('SET', KEYS[4], '1', 'PX', ARGV[6]) end
        if #gone > 0 then redis.call('PUBLISH', ARGV[3], ARGV[4] .. table.concat(gone, '\n')) end
        return #gone
        """;
}
