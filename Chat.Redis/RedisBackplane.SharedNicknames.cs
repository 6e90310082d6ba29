using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Fleck.Chat.Redis;

/// <summary>
/// Shared claims, for identified users who may be connected to several nodes at once. Each node
/// holds its own claim of the name, under a claim suffix that ends with its node id, so claims of
/// one user never conflict; they are refreshed, re-claimed and swept like any other claim, and the
/// member hashes list the user once per node (presence de-duplicates). A private message to such a
/// user goes to every node that holds a share.
/// </summary>
public sealed partial class RedisBackplane
{
    private const char ShareSeparator = '@';

    /// <inheritdoc />
    public ValueTask<bool> TryClaimSharedNicknameAsync(string nickname, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nickname);
        return ClaimAsync(nickname, SharedSuffix(RedisKeys.ClaimSuffix(nickname), NodeId), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask ReleaseSharedNicknameAsync(string nickname)
    {
        ArgumentNullException.ThrowIfNull(nickname);
        return ReleaseAsync(nickname, SharedSuffix(RedisKeys.ClaimSuffix(nickname), NodeId));
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
        catch (Exception ex) when (ex is Scaling.BackplaneUnavailableException)
        {
            _logger.LogDebug("A message for a shared name was dropped: {Error}", ex.Message);
            Interlocked.Increment(ref _dropped);
        }
    }
}
