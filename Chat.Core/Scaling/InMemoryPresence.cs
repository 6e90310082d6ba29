using Fleck.Chat.Rooms;

namespace Fleck.Chat.Scaling;

/// <summary>
/// One node's view of the claims and room members of an in-memory cluster. The claim tables are
/// the cluster's; this node's entries are marked with this object, so a node frees only its own.
/// </summary>
internal sealed class InMemoryPresence(InMemoryCluster cluster) : IPresence
{
    /// <inheritdoc />
    public ValueTask<bool> TryClaimNicknameAsync(string nickname, CancellationToken cancellationToken)
    {
        lock (cluster.Shared)
        {
            return ValueTask.FromResult(!cluster.Shared.ContainsKey(nickname) && cluster.Nicknames.TryAdd(nickname, this));
        }
    }

    /// <inheritdoc />
    public ValueTask<SharedClaimResult> TryClaimSharedNicknameAsync(string nickname, CancellationToken cancellationToken)
    {
        lock (cluster.Shared)
        {
            if (cluster.Nicknames.ContainsKey(nickname))
            {
                return ValueTask.FromResult(SharedClaimResult.Taken);
            }
            if (!cluster.Shared.TryGetValue(nickname, out var holders))
            {
                cluster.Shared[nickname] = holders = [];
            }
            var first = !holders.Any(h => h != this);
            holders.Add(this);
            return ValueTask.FromResult(first ? SharedClaimResult.First : SharedClaimResult.Again);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> ReleaseSharedNicknameAsync(string nickname)
    {
        lock (cluster.Shared)
        {
            if (!cluster.Shared.TryGetValue(nickname, out var holders))
            {
                return ValueTask.FromResult(true);
            }
            holders.Remove(this);
            if (holders.Count == 0)
            {
                cluster.Shared.Remove(nickname);
                return ValueTask.FromResult(true);
            }
            return ValueTask.FromResult(false);
        }
    }

    /// <inheritdoc />
    public ValueTask ReleaseNicknameAsync(string nickname)
    {
        cluster.Nicknames.TryRemove(new KeyValuePair<string, InMemoryPresence>(nickname, this));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyCollection<string>> GetNicknamesAsync(CancellationToken cancellationToken)
    {
        lock (cluster.Shared)
        {
            return ValueTask.FromResult<IReadOnlyCollection<string>>([.. cluster.Nicknames.Keys, .. cluster.Shared.Keys]);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> IsOnlineAsync(string nickname, CancellationToken cancellationToken)
    {
        lock (cluster.Shared)
        {
            return ValueTask.FromResult(cluster.Nicknames.ContainsKey(nickname) || cluster.Shared.ContainsKey(nickname));
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> AddRoomMemberAsync(string room, string nickname, CancellationToken cancellationToken) =>
        ValueTask.FromResult(cluster.Streams.AddMember(room, nickname));

    /// <inheritdoc />
    public ValueTask<bool> RemoveRoomMemberAsync(string room, string nickname) =>
        ValueTask.FromResult(cluster.Streams.RemoveMember(room, nickname));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> GetRoomMembersAsync(string room, CancellationToken cancellationToken) =>
        ValueTask.FromResult(cluster.Streams.Members(room));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RoomCount>> GetRoomCountsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(cluster.Streams.Counts());

    /// <summary>Frees every claim of this node; the names no other node still serves, which are now gone.</summary>
    public List<string> ReleaseAll()
    {
        var exclusive = cluster.Nicknames.Where(kv => kv.Value == this).Select(kv => kv.Key).ToArray();
        foreach (var nickname in exclusive)
        {
            cluster.Nicknames.TryRemove(new KeyValuePair<string, InMemoryPresence>(nickname, this));
        }
        var gone = new List<string>(exclusive);
        lock (cluster.Shared)
        {
            // A shared name is gone only when no other node still serves that user.
            foreach (var (nickname, holders) in cluster.Shared.ToArray())
            {
                if (holders.Remove(this) && holders.Count == 0)
                {
                    cluster.Shared.Remove(nickname);
                    gone.Add(nickname);
                }
            }
        }
        return gone;
    }

    /// <inheritdoc />
    public ValueTask<bool> TryTakeTypingTurnAsync(string user, string scope, TimeSpan every, CancellationToken cancellationToken) =>
        ValueTask.FromResult(cluster.Typing.TryTake(user, scope, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), (long)every.TotalMilliseconds));
}
