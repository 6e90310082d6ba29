using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Fleck.Chat.Redis;

/// <summary>
/// The periodic work that keeps the shared state true: every <see cref="RedisBackplaneOptions.RefreshInterval"/>,
/// and at once when the connection to Redis comes back, the node renews its heartbeat, refreshes
/// (or re-claims) its nicknames, retries failed releases, and sweeps nodes whose heartbeat expired.
/// </summary>
public sealed partial class RedisBackplane
{
    /// <summary>Claims per refresh script call: large enough to need few round trips, small enough not to hold Redis up for long.</summary>
    private const int RefreshBatch = 500;

    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly HashSet<string> _returnedToAnnounce = new(StringComparer.Ordinal);
    private bool _announceReturn;

    private void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already woken: one cycle covers both.
        }
    }

    private async Task MaintainAsync(CancellationToken stopping)
    {
        var wait = TimeSpan.Zero;
        while (true)
        {
            try
            {
                await _wake.WaitAsync(wait, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            wait = _options.RefreshInterval;
            try
            {
                await RunCycleAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                _logger.LogDebug("Refresh skipped, Redis unavailable: {Error}", ex.Message);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Refresh failed");
            }
        }
    }

    /// <summary>One round of upkeep; runs on the maintenance loop only, never concurrently with itself.</summary>
    private async Task RunCycleAsync()
    {
        if (!_redis.IsConnected)
        {
            return;
        }
        if (await HeartbeatAsync().ConfigureAwait(false))
        {
            _logger.LogWarning("This node was cut off from Redis long enough to be taken for dead; announcing its members again");
            _announceReturn = true;
        }
        await RefreshClaimsAsync().ConfigureAwait(false);
        if (_announceReturn)
        {
            if (_returnedToAnnounce.Count > 0)
            {
                Publish(_keys.Broadcast, Envelope.ForNames(Envelope.Returned, _nodeIdBytes, _returnedToAnnounce));
                _returnedToAnnounce.Clear();
            }
            _announceReturn = false;
        }
        await RetryReleasesAsync().ConfigureAwait(false);
        await SweepDeadNodesAsync().ConfigureAwait(false);
    }

    /// <summary>Renews this node's heartbeat and registration; true if a survivor had swept it meanwhile.</summary>
    private async Task<bool> HeartbeatAsync()
    {
        var swept = await Db.ScriptEvaluateAsync(RedisScripts.Heartbeat,
            [_keys.OwnAlive, _keys.Nodes, _keys.OwnSwept], [NodeId, TtlMilliseconds]).ConfigureAwait(false);
        return (long)swept == 1;
    }

    private async Task RefreshClaimsAsync()
    {
        var db = Db;
        var (claims, commands) = _claims.SendRefresh(claims => claims.Chunk(RefreshBatch).Select(batch =>
        {
            var args = new RedisValue[3 + (2 * batch.Length)];
            args[0] = NodeId;
            args[1] = TtlMilliseconds;
            args[2] = _keys.NicknamePrefix;
            for (var i = 0; i < batch.Length; i++)
            {
                args[3 + (2 * i)] = batch[i].Suffix;
                args[4 + (2 * i)] = batch[i].Nickname;
            }
            return db.ScriptEvaluateAsync(RedisScripts.Refresh, [_keys.OwnMembers], args);
        }).ToArray());
        if (claims.Count == 0)
        {
            return;
        }
        var results = await Task.WhenAll(commands).ConfigureAwait(false);
        var bySuffix = claims.ToDictionary(c => c.Suffix, StringComparer.Ordinal);
        var reclaimed = 0;
        foreach (var result in results)
        {
            var parts = (RedisResult[])result!;
            foreach (var suffix in (string[])parts[0]!)
            {
                reclaimed++;
                if (_announceReturn)
                {
                    _returnedToAnnounce.Add(bySuffix[suffix].Nickname);
                }
            }
            foreach (var suffix in (string[])parts[1]!)
            {
                OnClaimLost(bySuffix[suffix]);
            }
        }
        if (reclaimed > 0)
        {
            _logger.LogInformation("Re-claimed {Count} nicknames that Redis had lost", reclaimed);
        }
    }

    /// <summary>Another node claimed one of our names while we were cut off: its claim wins, our member goes.</summary>
    private void OnClaimLost(ClaimBook.Claim claim)
    {
        if (_claims.Remove(claim))
        {
            _logger.LogWarning("Nickname {Nickname} was claimed by another node while this one was cut off; disconnecting the local member", claim.Nickname);
            _node?.NicknameLost(claim.Nickname);
        }
    }

    private async Task RetryReleasesAsync()
    {
        foreach (var (suffix, command) in _claims.SendPendingReleases(SendRelease))
        {
            try
            {
                await command.ConfigureAwait(false);
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                _claims.AddPendingRelease(suffix);
            }
        }
    }

    private async Task SweepDeadNodesAsync()
    {
        var db = Db;
        var others = (await db.SetMembersAsync(_keys.Nodes).ConfigureAwait(false))
            .Select(v => v.ToString())
            .Where(id => id != NodeId)
            .ToArray();
        var alive = await Task.WhenAll(others.Select(id => db.KeyExistsAsync(_keys.Alive(id)))).ConfigureAwait(false);
        for (var i = 0; i < others.Length; i++)
        {
            if (!alive[i])
            {
                await SweepAsync(others[i], force: false).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Frees a node's nicknames and announces its members as lost (see <see cref="RedisScripts.Sweep"/>).</summary>
    private async Task SweepAsync(string nodeId, bool force)
    {
        var header = Envelope.NamesHeader(Envelope.Lost, Encoding.ASCII.GetBytes(nodeId));
        var markerTtl = ((long)_options.SweptMarkerTimeToLive.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        var result = await Db.ScriptEvaluateAsync(RedisScripts.Sweep,
            [_keys.Nodes, _keys.Alive(nodeId), _keys.Members(nodeId), _keys.Swept(nodeId)],
            [nodeId, _keys.NicknamePrefix, _keys.Broadcast.ToString(), header, force ? "1" : "0", markerTtl, _keys.MembersPrefix]).ConfigureAwait(false);
        var announced = (long)result;
        if (announced >= 0)
        {
            // Only the sweep that won gets here, so a dead node's rooms are undone once.
            await SweepRoomsAsync(nodeId).ConfigureAwait(false);
        }
        if (!force && announced >= 0)
        {
            _logger.LogWarning("Node {NodeId} stopped heartbeating; freed its nicknames and announced {Count} members as gone", nodeId, announced);
        }
    }
}
