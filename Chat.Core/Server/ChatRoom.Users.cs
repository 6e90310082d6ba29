using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Scaling;
using Fleck.Chat.Transport;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Server;

/// <summary>
/// Identified users: one user (one nickname) may hold several connections. The node claims the
/// nickname once, as a shared claim, when the user's first connection joins here, and releases it
/// after the last one left; only the first connection is announced with <c>join</c> and only the
/// last one's departure with <c>leave</c>.
/// </summary>
internal sealed partial class ChatRoom
{
    private readonly Dictionary<string, LocalUser> _users = new(Nickname.Comparer);

    // A release still in flight for a name: a new claim of it waits for it, so the backplane sees release then claim.
    private readonly Dictionary<string, Task> _releases = new(Nickname.Comparer);
    private readonly Lock _usersLock = new();

    /// <summary>The local connections of one identified user, and this node's claim of its nickname.</summary>
    private sealed class LocalUser(string nickname)
    {
        public string Nickname { get; } = nickname;
        public List<ChatMember> Connections { get; } = [];
        public Task<JoinResult> Claim { get; set; } = Task.FromResult(JoinResult.Unavailable);
        public bool Announced { get; set; }
        public ChatMember[] Snapshot { get; set; } = [];
    }

    private async ValueTask<JoinResult> JoinUserAsync(ChatMember member, string nickname)
    {
        LocalUser? user;
        lock (_usersLock)
        {
            if (!_users.TryGetValue(nickname, out user))
            {
                user = new LocalUser(nickname);
                var previousRelease = _releases.Remove(nickname, out var release) ? release : Task.CompletedTask;
                user.Claim = ClaimUserAsync(user, previousRelease);
                _users.Add(nickname, user);
            }
            user.Connections.Add(member);
        }
        var claimed = await user.Claim.ConfigureAwait(false);
        bool first;
        lock (_usersLock)
        {
            if (claimed != JoinResult.Joined || !member.IsOpen)
            {
                RemoveConnection(user, member, claimed == JoinResult.Joined);
                return claimed == JoinResult.Joined ? JoinResult.Unavailable : claimed;
            }
            member.Nickname = user.Nickname;
            member.HasJoined = true;
            _members.Add(member);
            user.Snapshot = [.. user.Connections.Where(c => c.HasJoined)];
            first = !user.Announced;
            user.Announced = true;
        }
        return first ? JoinResult.Joined : JoinResult.JoinedAgain;
    }

    private async Task<JoinResult> ClaimUserAsync(LocalUser user, Task previousRelease)
    {
        var nickname = user.Nickname;
        await previousRelease.ConfigureAwait(false);
        // A connection of this user still leaving here is announced first.
        await _departures.WaitAsync(nickname).ConfigureAwait(false);
        try
        {
            // Whether the user is online on another node already (everyone was told when it joined
            // there) is decided with the claim, in one step: two nodes claiming at once cannot both
            // find the other absent, nor both find it present.
            var claim = await backplane.Presence.TryClaimSharedNicknameAsync(nickname, CancellationToken.None).ConfigureAwait(false);
            if (claim == SharedClaimResult.Taken)
            {
                return JoinResult.NicknameTaken;
            }
            lock (_usersLock)
            {
                user.Announced |= claim == SharedClaimResult.Again;
            }
            return JoinResult.Joined;
        }
        catch (BackplaneUnavailableException ex)
        {
            logger.LogWarning("Cannot claim nickname {Nickname}: {Error}", nickname, ex.Message);
            return JoinResult.Unavailable;
        }
    }

    private async ValueTask LeaveUserAsync(ChatMember member)
    {
        _members.Remove(member);
        Task<bool>? release = null;
        lock (_usersLock)
        {
            if (_users.TryGetValue(member.Nickname!, out var user))
            {
                release = RemoveConnection(user, member, claimHeld: true);
                if (release is null)
                {
                    // The user is still online here through another connection: for the mode this
                    // connection leaves unannounced, as if it had never joined.
                    member.HasJoined = false;
                }
            }
        }
        if (release is not null && !await release.ConfigureAwait(false))
        {
            // The last connection here, but not the user's last (the release said so, in the same
            // step that gave this node's share up): no leave.
            member.HasJoined = false;
        }
    }

    /// <summary>Takes a connection out of its user; after the last one the user is gone and, if the claim was held, its release starts. Call under the lock.</summary>
    private Task<bool>? RemoveConnection(LocalUser user, ChatMember member, bool claimHeld)
    {
        user.Connections.Remove(member);
        user.Snapshot = [.. user.Connections.Where(c => c.HasJoined)];
        if (user.Connections.Count > 0 || !_users.Remove(user.Nickname))
        {
            return null;
        }
        if (!claimHeld)
        {
            return null;
        }
        var release = ReleaseUserAsync(user.Nickname);
        _releases[user.Nickname] = release;
        _ = ForgetReleaseAsync(user.Nickname, release);
        return release;
    }

    /// <summary>Once a release is done nothing needs to wait for it: the table keeps only releases in flight.</summary>
    private async Task ForgetReleaseAsync(string nickname, Task release)
    {
        await release.ConfigureAwait(false);
        lock (_usersLock)
        {
            if (_releases.TryGetValue(nickname, out var current) && current == release)
            {
                _releases.Remove(nickname);
            }
        }
    }

    /// <summary>Gives this node's share up; true when it was the user's last anywhere.</summary>
    private async Task<bool> ReleaseUserAsync(string nickname)
    {
        // Yield first: this starts under the users lock, and the release itself must run outside it.
        await Task.Yield();
        try
        {
            return await backplane.Presence.ReleaseSharedNicknameAsync(nickname).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The claim expires by itself when the backplane cannot be told.
            logger.LogWarning("Could not release nickname {Nickname}: {Error}", nickname, ex.Message);
            return true;
        }
    }

    private bool HasLocalUser(string nickname)
    {
        lock (_usersLock)
        {
            return _users.ContainsKey(nickname);
        }
    }

    /// <summary>Sends to every joined local connection of an identified user; false when the user has none here.</summary>
    private bool DeliverToUser(string nickname, OutgoingMessage message)
    {
        ChatMember[] connections;
        lock (_usersLock)
        {
            if (_users.Count == 0 || !_users.TryGetValue(nickname, out var user) || user.Snapshot.Length == 0)
            {
                return false;
            }
            connections = user.Snapshot;
        }
        var sent = 0;
        foreach (var connection in connections)
        {
            // Deliver, not Send: a connection still being welcomed holds it until its users event is out.
            if (connection.Deliver(message))
            {
                sent++;
            }
        }
        counters.Delivered(sent, (long)sent * message.WireLength);
        return true;
    }

    private ChatMember[] LocalUserConnections(string nickname)
    {
        lock (_usersLock)
        {
            return _users.TryGetValue(nickname, out var user) ? user.Snapshot : [];
        }
    }

    private string[] LocalUserNames()
    {
        lock (_usersLock)
        {
            return [.. _users.Values.Where(u => u.Announced).Select(u => u.Nickname)];
        }
    }
}
