using System.Collections.Concurrent;
using Fleck.Chat.Protocol;
using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Fleck.Chat.Redis;

/// <summary>
/// Nickname claims and who is in which room, in Redis. A claim is atomic, with a time to live the
/// node keeps refreshing (<see cref="RedisNodeMaintenance"/>); this node's claims are tracked in a
/// <see cref="ClaimBook"/>, so a claim or release that failed half-way is settled once Redis answers again.
/// <para>
/// Shared claims, for identified users who may be connected to several nodes at once: each node
/// holds its own claim of the name, under a claim suffix that ends with its node id, so claims of
/// one user never conflict; they are refreshed, re-claimed and swept like any other claim, and the
/// member hashes list the user once per node (presence de-duplicates). Claiming a share tells whether
/// it is the user's first anywhere, and releasing one whether it was the last, each in the same
/// script as the write (<see cref="RedisScripts.ClaimShare"/>, <see cref="RedisScripts.ReleaseShare"/>):
/// nodes claiming or releasing at the same moment never both announce the user, nor both stay silent.
/// </para>
/// </summary>
internal sealed class RedisPresence(RedisContext context) : IPresence
{
    private const char ShareSeparator = '@';

    /// <summary>Bounds the routing cache; it is rebuilt from Redis on demand, so clearing it costs one lookup per name.</summary>
    private const int MaxCachedOwners = 10_000;

    /// <summary>Routing cache: claim suffix → node id, filled by <see cref="IsOnlineAsync"/>, which the room calls just before a private message.</summary>
    private readonly ConcurrentDictionary<string, string> _owners = new(StringComparer.Ordinal);

    private RedisKeys Keys => context.Keys;

    /// <summary>This node's claims, for the refresh and the retried releases.</summary>
    public ClaimBook Claims { get; } = new();

    /// <inheritdoc />
    public ValueTask<bool> TryClaimNicknameAsync(string nickname, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nickname);
        var suffix = RedisKeys.ClaimSuffix(nickname);
        return ClaimedAsync(ClaimAsync(nickname, suffix, RedisScripts.Claim, [Keys.Nickname(suffix), Keys.OwnMembers],
            [context.NodeId, context.ClaimTtlMilliseconds, suffix, nickname], cancellationToken));

        static async ValueTask<bool> ClaimedAsync(ValueTask<long> claim) => await claim.ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    /// <remarks>Never throws: a release that cannot reach Redis is retried by the next refresh, and the claim expires meanwhile.</remarks>
    public ValueTask ReleaseNicknameAsync(string nickname)
    {
        ArgumentNullException.ThrowIfNull(nickname);
        return ReleaseAsync(nickname, RedisKeys.ClaimSuffix(nickname));
    }

    /// <inheritdoc />
    public async ValueTask<SharedClaimResult> TryClaimSharedNicknameAsync(string nickname, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nickname);
        var name = RedisKeys.ClaimSuffix(nickname);
        var share = SharedSuffix(name, context.NodeId);
        var result = await ClaimAsync(nickname, share, RedisScripts.ClaimShare, [Keys.Nickname(share), Keys.OwnMembers, Keys.Nodes],
            [context.NodeId, context.ClaimTtlMilliseconds, share, nickname, Keys.MembersPrefix, name], cancellationToken).ConfigureAwait(false);
        return result switch
        {
            2 => SharedClaimResult.First,
            1 => SharedClaimResult.Again,
            _ => SharedClaimResult.Taken,
        };
    }

    /// <inheritdoc />
    /// <remarks>Never throws: a release that cannot reach Redis is retried by the next refresh, and the share expires meanwhile.</remarks>
    public async ValueTask<bool> ReleaseSharedNicknameAsync(string nickname)
    {
        ArgumentNullException.ThrowIfNull(nickname);
        var name = RedisKeys.ClaimSuffix(nickname);
        var share = SharedSuffix(name, context.NodeId);
        Task<RedisResult>? last = null;
        try
        {
            var command = Claims.Release(share, () => last = context.Db.ScriptEvaluateAsync(RedisScripts.ReleaseShare,
                [Keys.Nickname(share), Keys.OwnMembers, Keys.Nodes], [context.NodeId, share, Keys.MembersPrefix, name]));
            if (command is null || last is null)
            {
                return true;
            }
            return (long)await last.ConfigureAwait(false) == 1;
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            DeferRelease(nickname, share, ex);
            return true;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Read from each registered node's member hash: one round trip for the node set, then one
    /// pipelined HVALS per node, so the cost grows with the number of names returned, never with a
    /// scan of the keyspace.
    /// </remarks>
    public async ValueTask<IReadOnlyCollection<string>> GetNicknamesAsync(CancellationToken cancellationToken)
    {
        try
        {
            var db = context.Db;
            var nodes = await db.SetMembersAsync(Keys.Nodes).WaitAsync(cancellationToken).ConfigureAwait(false);
            var perNode = await Task.WhenAll(nodes.Select(id => db.HashValuesAsync(Keys.Members(id.ToString())))).WaitAsync(cancellationToken).ConfigureAwait(false);
            var names = new HashSet<string>(Nickname.Comparer);
            foreach (var values in perNode)
            {
                foreach (var value in values)
                {
                    names.Add(value.ToString());
                }
            }
            return names;
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            throw RedisContext.Unavailable(ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> IsOnlineAsync(string nickname, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nickname);
        var suffix = RedisKeys.ClaimSuffix(nickname);
        RedisValue owner;
        try
        {
            owner = await ExclusiveOwnerAsync(suffix).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            throw RedisContext.Unavailable(ex);
        }
        if (owner.IsNull)
        {
            _owners.TryRemove(suffix, out _);
            return (await SharedHoldersAsync(suffix, cancellationToken).ConfigureAwait(false)).Count > 0;
        }
        if (_owners.Count >= MaxCachedOwners)
        {
            _owners.Clear();
        }
        _owners[suffix] = owner.ToString();
        return true;
    }

    /// <inheritdoc />
    public async ValueTask<bool> AddRoomMemberAsync(string room, string nickname, CancellationToken cancellationToken)
    {
        try
        {
            return (long)await RoomMemberScriptAsync(RoomScripts.AddMember, room, nickname).WaitAsync(cancellationToken).ConfigureAwait(false) == 1;
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            throw RedisContext.Unavailable(ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> RemoveRoomMemberAsync(string room, string nickname)
    {
        try
        {
            return (long)await RoomMemberScriptAsync(RoomScripts.RemoveMember, room, nickname).ConfigureAwait(false) == 1;
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            throw RedisContext.Unavailable(ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<string>> GetRoomMembersAsync(string room, CancellationToken cancellationToken)
    {
        try
        {
            var names = await context.Db.HashKeysAsync(context.Rooms.Members(room)).WaitAsync(cancellationToken).ConfigureAwait(false);
            return [.. names.Select(n => n.ToString()).Order(StringComparer.OrdinalIgnoreCase)];
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            throw RedisContext.Unavailable(ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<RoomCount>> GetRoomCountsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var rows = await context.Db.SortedSetRangeByRankWithScoresAsync(context.Rooms.Index).WaitAsync(cancellationToken).ConfigureAwait(false);
            return [.. rows.Where(r => r.Score > 0).Select(r => new RoomCount(r.Element.ToString(), (int)r.Score)).OrderBy(r => r.Room, StringComparer.Ordinal)];
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            throw RedisContext.Unavailable(ex);
        }
    }

    /// <summary>The node the last <see cref="IsOnlineAsync"/> found holding the name exclusively, if it is still cached.</summary>
    public bool TryGetCachedOwner(string suffix, out string owner) => _owners.TryGetValue(suffix, out owner!);

    /// <summary>The name's holder left (its node is gone): the next message looks it up again.</summary>
    public void ForgetOwner(string suffix) => _owners.TryRemove(suffix, out _);

    /// <summary>The node holding the name exclusively, or null.</summary>
    public Task<RedisValue> ExclusiveOwnerAsync(string suffix) => context.Db.StringGetAsync(Keys.Nickname(suffix));

    /// <summary>The nodes holding a share of a name: one round trip for the node set, then one pipelined EXISTS per node.</summary>
    public async Task<List<string>> SharedHoldersAsync(string suffix, CancellationToken cancellationToken)
    {
        try
        {
            var db = context.Db;
            var nodes = await db.SetMembersAsync(Keys.Nodes).WaitAsync(cancellationToken).ConfigureAwait(false);
            var ids = nodes.Select(n => n.ToString()).ToArray();
            var held = await Task.WhenAll(ids.Select(id => db.KeyExistsAsync(Keys.Nickname(SharedSuffix(suffix, id))))).WaitAsync(cancellationToken).ConfigureAwait(false);
            return [.. ids.Where((_, i) => held[i])];
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            throw RedisContext.Unavailable(ex);
        }
    }

    /// <summary>Sends the release of one of this node's claims.</summary>
    public Task SendRelease(string suffix) =>
        context.Db.ScriptEvaluateAsync(RedisScripts.Release, [Keys.Nickname(suffix), Keys.OwnMembers], [context.NodeId, suffix]);

    /// <summary>Undoes the room presence of a node taken for dead; the nodes still in its rooms announce the leaves.</summary>
    public async Task SweepRoomsAsync(string nodeId)
    {
        var rooms = context.Rooms;
        var undone = (long)await context.Db.ScriptEvaluateAsync(RoomScripts.SweepRooms, [rooms.NodeRecord(nodeId), rooms.Index], [rooms.RoomPrefix]).ConfigureAwait(false);
        if (undone > 0)
        {
            context.Logger.LogWarning("Node {NodeId} is gone; took its members out of {Count} room memberships", nodeId, undone);
        }
    }

    /// <summary>Runs a claim script for <paramref name="suffix"/> through the claim book; its result, 0 when the name is held elsewhere.</summary>
    private async ValueTask<long> ClaimAsync(string nickname, string suffix, string script, RedisKey[] keys, RedisValue[] args, CancellationToken cancellationToken)
    {
        (ClaimBook.Claim Claim, Task<RedisResult> Command)? reserved;
        try
        {
            reserved = Claims.TryReserve(nickname, suffix, () => context.Db.ScriptEvaluateAsync(script, keys, args));
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            throw RedisContext.Unavailable(ex);
        }
        if (reserved is not { } pending)
        {
            return 0;
        }
        long result;
        try
        {
            result = (long)await pending.Command.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex) || ex is OperationCanceledException)
        {
            // The claim may have reached Redis before the failure: release it once Redis answers again.
            Claims.Remove(pending.Claim);
            Claims.AddPendingRelease(suffix);
            throw ex is OperationCanceledException ? ex : RedisContext.Unavailable(ex);
        }
        if (result > 0)
        {
            Claims.Confirm(pending.Claim);
        }
        else
        {
            Claims.Remove(pending.Claim);
        }
        return result;
    }

    private async ValueTask ReleaseAsync(string nickname, string suffix)
    {
        try
        {
            var command = Claims.Release(suffix, () => SendRelease(suffix));
            if (command is not null)
            {
                await command.ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            DeferRelease(nickname, suffix, ex);
        }
    }

    private void DeferRelease(string nickname, string suffix, Exception ex)
    {
        context.Logger.LogDebug("Release of {Nickname} deferred: {Error}", nickname, ex.Message);
        Claims.AddPendingRelease(suffix);
    }

    private Task<RedisResult> RoomMemberScriptAsync(string script, string room, string nickname)
    {
        var rooms = context.Rooms;
        return context.Db.ScriptEvaluateAsync(script, [rooms.Members(room), rooms.Index, rooms.NodeRecord(context.NodeId)], [nickname, room, RoomKeys.RecordField(room, nickname)]);
    }

    private static string SharedSuffix(string suffix, string nodeId) => suffix + ShareSeparator + nodeId;

    /// <inheritdoc />
    /// <remarks>One <c>SET NX PX</c> of <c>&lt;prefix&gt;typing:&lt;user&gt;\n&lt;scope&gt;</c>, so the turn is shared by every node.</remarks>
    public async ValueTask<bool> TryTakeTypingTurnAsync(string user, string scope, TimeSpan every, CancellationToken cancellationToken)
    {
        try
        {
            return await context.Db.StringSetAsync(context.Keys.Prefix + "typing:" + user + "\n" + scope, 1, every, When.NotExists)
                .WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
        {
            throw RedisContext.Unavailable(ex);
        }
    }
}
