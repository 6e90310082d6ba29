using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Fleck.Chat.Redis;

/// <summary>
/// The periodic work that keeps the shared state true: every <see cref="RedisBackplaneOptions.RefreshInterval"/>,
/// and at once when the connection to Redis comes back, the node renews its heartbeat, refreshes
/// (or re-claims) its nicknames, retries failed releases, and sweeps nodes whose heartbeat expired,
/// so the survivors free a dead node's nicknames and tell their members it left.
/// </summary>
internal sealed class RedisNodeMaintenance(RedisContext context, RedisPresence presence)
{
    /// <summary>Claims per refresh script call: large enough to need few round trips, small enough not to hold Redis up for long.</summary>
    private const int RefreshBatch = 500;

    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly HashSet<string> _returnedToAnnounce = new(StringComparer.Ordinal);
    private bool _announceReturn;

    private RedisKeys Keys => context.Keys;

    /// <summary>Runs the next cycle now rather than at the next interval.</summary>
    public void Wake()
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

    /// <summary>Runs a cycle at once, then one per interval (or when woken), until the backplane stops.</summary>
    public async Task MaintainAsync()
    {
        var wait = TimeSpan.Zero;
        while (true)
        {
            try
            {
                await _wake.WaitAsync(wait, context.Stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            wait = context.Options.RefreshInterval;
            await context.RunPassAsync(RunCycleAsync, "Refresh").ConfigureAwait(false);
        }
    }

    /// <summary>Renews this node's heartbeat and registration; true if a survivor had swept it meanwhile.</summary>
    public async Task<bool> HeartbeatAsync()
    {
        var swept = await context.Db.ScriptEvaluateAsync(RedisScripts.Heartbeat,
            [Keys.OwnAlive, Keys.Nodes, Keys.OwnSwept], [context.NodeId, context.ClaimTtlMilliseconds]).ConfigureAwait(false);
        return (long)swept == 1;
    }

    /// <summary>Frees a node's nicknames and announces its members as lost (see <see cref="RedisScripts.Sweep"/>).</summary>
    public async Task SweepAsync(string nodeId, bool force)
    {
        var header = Envelope.NamesHeader(Envelope.Lost, Encoding.ASCII.GetBytes(nodeId));
        var markerTtl = ((long)context.Options.SweptMarkerTimeToLive.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        var result = await context.Db.ScriptEvaluateAsync(RedisScripts.Sweep,
            [Keys.Nodes, Keys.Alive(nodeId), Keys.Members(nodeId), Keys.Swept(nodeId)],
            [nodeId, Keys.NicknamePrefix, Keys.Broadcast.ToString(), header, force ? "1" : "0", markerTtl, Keys.MembersPrefix]).ConfigureAwait(false);
        var announced = (long)result;
        if (announced >= 0)
        {
            // Only the sweep that won gets here, so a dead node's rooms are undone once.
            await presence.SweepRoomsAsync(nodeId).ConfigureAwait(false);
        }
        if (!force && announced >= 0)
        {
            context.Logger.LogWarning("Node {NodeId} stopped heartbeating; freed its nicknames and announced {Count} members as gone", nodeId, announced);
        }
    }

    /// <summary>One round of upkeep; runs on the maintenance loop only, never concurrently with itself.</summary>
    private async Task RunCycleAsync()
    {
        if (!context.Redis.IsConnected)
        {
            return;
        }
        if (await HeartbeatAsync().ConfigureAwait(false))
        {
            context.Logger.LogWarning("This node was cut off from Redis long enough to be taken for dead; announcing its members again");
            _announceReturn = true;
        }
        await RefreshClaimsAsync().ConfigureAwait(false);
        // Announced once this node hears its streams again, so that whoever sees the return can talk to it.
        if (_announceReturn && !context.SubscriptionDown)
        {
            if (_returnedToAnnounce.Count > 0)
            {
                context.Publish(Keys.Broadcast, Envelope.ForNames(Envelope.Returned, context.NodeIdBytes, _returnedToAnnounce));
                _returnedToAnnounce.Clear();
            }
            _announceReturn = false;
        }
        await RetryReleasesAsync().ConfigureAwait(false);
        await SweepDeadNodesAsync().ConfigureAwait(false);
    }

    private async Task RefreshClaimsAsync()
    {
        var db = context.Db;
        var (claims, commands) = presence.Claims.SendRefresh(claims => claims.Chunk(RefreshBatch).Select(batch =>
        {
            var args = new RedisValue[3 + (2 * batch.Length)];
            args[0] = context.NodeId;
            args[1] = context.ClaimTtlMilliseconds;
            args[2] = Keys.NicknamePrefix;
            for (var i = 0; i < batch.Length; i++)
            {
                args[3 + (2 * i)] = batch[i].Suffix;
                args[4 + (2 * i)] = batch[i].Nickname;
            }
            return db.ScriptEvaluateAsync(RedisScripts.Refresh, [Keys.OwnMembers], args);
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
            context.Logger.LogInformation("Re-claimed {Count} nicknames that Redis had lost", reclaimed);
        }
    }

    /// <summary>Another node claimed one of our names while we were cut off: its claim wins, our member goes.</summary>
    private void OnClaimLost(ClaimBook.Claim claim)
    {
        if (presence.Claims.Remove(claim))
        {
            context.Logger.LogWarning("Nickname {Nickname} was claimed by another node while this one was cut off; disconnecting the local member", claim.Nickname);
            context.Node?.NicknameLost(claim.Nickname);
        }
    }

    private async Task RetryReleasesAsync()
    {
        foreach (var (suffix, command) in presence.Claims.SendPendingReleases(presence.SendRelease))
        {
            try
            {
                await command.ConfigureAwait(false);
            }
            catch (Exception ex) when (RedisContext.IsRedisFailure(ex))
            {
                presence.Claims.AddPendingRelease(suffix);
            }
        }
    }

    private async Task SweepDeadNodesAsync()
    {
        var db = context.Db;
        var others = (await db.SetMembersAsync(Keys.Nodes).ConfigureAwait(false))
            .Select(v => v.ToString())
            .Where(id => id != context.NodeId)
            .ToArray();
        var alive = await Task.WhenAll(others.Select(id => db.KeyExistsAsync(Keys.Alive(id)))).ConfigureAwait(false);
        for (var i = 0; i < others.Length; i++)
        {
            if (!alive[i])
            {
                await SweepAsync(others[i], force: false).ConfigureAwait(false);
            }
        }
    }
}
