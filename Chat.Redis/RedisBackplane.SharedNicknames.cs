using Fleck.Chat.Scaling;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Fleck.Chat.Redis;

/// <summary>
/// Shared claims, for identified users who may be connected to several nodes at once. Each node
/// holds its own claim of the name, under a claim suffix that ends with its node id, so claims of
/// one user never conflict; they are refreshed, re-claimed and swept like any other claim, and the
/// member hashes list the user once per node (presence de-duplicates). A private message to such a
/// user goes to every node that holds a share. Claiming a share tells whether it is the user's first
/// anywhere, and releasing one whether it was the last, each in the same script as the write
/// (<see cref="RedisScripts.ClaimShare"/>, <see cref="RedisScripts.ReleaseShare"/>): nodes claiming
/// or releasing at the same moment never both announce the user, nor both stay silent.
/// </summary>
public sealed partial class RedisBackplane
{
    private const char ShareSeparator = '@';

    /// <inheritdoc />
    public async ValueTask<SharedClaimResult> TryClaimSharedNicknameAsync(string nickname, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nickname);
        var name = RedisKeys.ClaimSuffix(nickname);
        var share = SharedSuffix(name, NodeId);
        var result = await ClaimAsync(nickname, share, RedisScripts.ClaimShare, [_keys.Nickname(share), _keys.OwnMembers, _keys.Nodes],
            [NodeId, TtlMilliseconds, share, nickname, _keys.MembersPrefix, name], cancellationToken).ConfigureAwait(false);
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
        var share = SharedSuffix(name, NodeId);
        Task<RedisResult>? last = null;
        try
        {
            var command = _claims.Release(share, () => last = Db.ScriptEvaluateAsync(RedisScripts.ReleaseShare,
                [_keys.Nickname(share), _keys.OwnMembers, _keys.Nodes], [NodeId, share, _keys.MembersPrefix, name]));
            if (command is null || last is null)
            {
                return true;
            }
            return (long)await last.ConfigureAwait(false) == 1;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            _logger.LogDebug("Release of {Nickname} deferred: {Error}", nickname, ex.Message);
            _claims.AddPendingRelease(share);
            return true;
        }
    }

    private static string SharedSuffix(string suffix, string nodeId) => suffix + ShareSeparator + nodeId;

    /// <summary>The nodes holding a share of a name: one round trip for the node set, then one pipelined EXISTS per node.</summary>
    private async Task<List<string>> SharedHoldersAsync(string suffix, CancellationToken cancellationToken)
    {
        try
        {
            var db = Db;
            var nodes = await db.SetMembersAsync(_keys.Nodes).WaitAsync(cancellationToken).ConfigureAwait(false);
            var ids = nodes.Select(n => n.ToString()).ToArray();
            var held = await Task.WhenAll(ids.Select(id => db.KeyExistsAsync(_keys.Nickname(SharedSuffix(suffix, id))))).WaitAsync(cancellationToken).ConfigureAwait(false);
            return [.. ids.Where((_, i) => held[i])];
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            throw Unavailable(ex);
        }
    }

    /// <summary>Routes a message for a user with shared claims to every other node holding a share.</summary>
    private async Task RouteToSharesAsync(string suffix, byte[] envelope)
    {
        try
        {
            foreach (var holder in await SharedHoldersAsync(suffix, CancellationToken.None).ConfigureAwait(false))
            {
                RouteTo(holder, envelope);
            }
        }
        catch (Exception ex) when (ex is BackplaneUnavailableException)
        {
            _logger.LogDebug("A message for a shared name was dropped: {Error}", ex.Message);
            Interlocked.Increment(ref _dropped);
        }
    }
}
