using System.Collections.Concurrent;
using System.Globalization;
using Fleck.Chat.Protocol;
using Fleck.Chat.Scaling;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Fleck.Chat.Redis;

/// <summary>Nickname claims and presence.</summary>
public sealed partial class RedisBackplane
{
    /// <summary>Routing cache: claim suffix → node id, filled by <see cref="IsOnlineAsync"/>, which the room calls just before <see cref="PublishToMember"/>.</summary>
    private readonly ConcurrentDictionary<string, string> _owners = new(StringComparer.Ordinal);

    /// <summary>Bounds the routing cache; it is rebuilt from Redis on demand, so clearing it costs one lookup per name.</summary>
    private const int MaxCachedOwners = 10_000;

    private string TtlMilliseconds => ((long)_options.ClaimTimeToLive.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public ValueTask<bool> TryClaimNicknameAsync(string nickname, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nickname);
        var suffix = RedisKeys.ClaimSuffix(nickname);
        return ClaimedAsync(ClaimAsync(nickname, suffix, RedisScripts.Claim, [_keys.Nickname(suffix), _keys.OwnMembers], [NodeId, TtlMilliseconds, suffix, nickname], cancellationToken));

        static async ValueTask<bool> ClaimedAsync(ValueTask<long> claim) => await claim.ConfigureAwait(false) == 1;
    }

    /// <summary>Runs a claim script for <paramref name="suffix"/> through the claim book; its result, 0 when the name is held elsewhere.</summary>
    private async ValueTask<long> ClaimAsync(string nickname, string suffix, string script, RedisKey[] keys, RedisValue[] args, CancellationToken cancellationToken)
    {
        (ClaimBook.Claim Claim, Task<RedisResult> Command)? reserved;
        try
        {
            reserved = _claims.TryReserve(nickname, suffix, () => Db.ScriptEvaluateAsync(script, keys, args));
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            throw Unavailable(ex);
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
        catch (Exception ex) when (IsRedisFailure(ex) || ex is OperationCanceledException)
        {
            // The claim may have reached Redis before the failure: release it once Redis answers again.
            _claims.Remove(pending.Claim);
            _claims.AddPendingRelease(suffix);
            throw ex is OperationCanceledException ? ex : Unavailable(ex);
        }
        if (result > 0)
        {
            _claims.Confirm(pending.Claim);
        }
        else
        {
            _claims.Remove(pending.Claim);
        }
        return result;
    }

    /// <inheritdoc />
    /// <remarks>Never throws: a release that cannot reach Redis is retried by the next refresh, and the claim expires meanwhile.</remarks>
    public ValueTask ReleaseNicknameAsync(string nickname)
    {
        ArgumentNullException.ThrowIfNull(nickname);
        return ReleaseAsync(nickname, RedisKeys.ClaimSuffix(nickname));
    }

    private async ValueTask ReleaseAsync(string nickname, string suffix)
    {
        try
        {
            var command = _claims.Release(suffix, () => SendRelease(suffix));
            if (command is not null)
            {
                await command.ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            _logger.LogDebug("Release of {Nickname} deferred: {Error}", nickname, ex.Message);
            _claims.AddPendingRelease(suffix);
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
            var db = Db;
            var nodes = await db.SetMembersAsync(_keys.Nodes).WaitAsync(cancellationToken).ConfigureAwait(false);
            var perNode = await Task.WhenAll(nodes.Select(id => db.HashValuesAsync(_keys.Members(id.ToString())))).WaitAsync(cancellationToken).ConfigureAwait(false);
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
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            throw Unavailable(ex);
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
            owner = await Db.StringGetAsync(_keys.Nickname(suffix)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            throw Unavailable(ex);
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

    private Task SendRelease(string suffix) =>
        Db.ScriptEvaluateAsync(RedisScripts.Release, [_keys.Nickname(suffix), _keys.OwnMembers], [NodeId, suffix]);
}
