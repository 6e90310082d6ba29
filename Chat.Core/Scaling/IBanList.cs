namespace Fleck.Chat.Scaling;

/// <summary>
/// The users who may not connect until a given time. Users are nicknames (with identity, the
/// token's name), compared as nicknames are (<see cref="Protocol.Nickname.Key"/>). Every node of
/// one chat must see the same list: a ban made through one node refuses the user's upgrades on
/// all of them as soon as <see cref="BanAsync"/> has returned.
/// Implementations: <see cref="InMemoryBanList"/> (one process, the default), a SQLite file
/// (Chat.Sqlite, kept across restarts), Redis (Chat.Redis, shared by every node).
/// Thread-safety: every member may be called concurrently.
/// </summary>
public interface IBanList
{
    /// <summary>Bans <paramref name="user"/> until <paramref name="until"/>, replacing any earlier ban of the same user.</summary>
    /// <exception cref="BackplaneUnavailableException">The shared list cannot be reached; nothing was changed.</exception>
    ValueTask BanAsync(string user, DateTimeOffset until, CancellationToken cancellationToken = default);

    /// <summary>Lifts the ban of <paramref name="user"/>; nothing happens when there is none.</summary>
    /// <exception cref="BackplaneUnavailableException">The shared list cannot be reached.</exception>
    ValueTask UnbanAsync(string user, CancellationToken cancellationToken = default);

    /// <summary>Whether <paramref name="user"/> is banned now (a ban whose time has passed does not count).</summary>
    /// <exception cref="BackplaneUnavailableException">The shared list cannot be reached.</exception>
    ValueTask<bool> IsBannedAsync(string user, CancellationToken cancellationToken = default);

    /// <summary>The bans in force now, ordered by user; expired ones are left out.</summary>
    /// <exception cref="BackplaneUnavailableException">The shared list cannot be reached.</exception>
    ValueTask<IReadOnlyList<BanEntry>> ListAsync(CancellationToken cancellationToken = default);
}

/// <summary>One ban: the user as it was named when banned, and when the ban ends.</summary>
/// <param name="User">The banned user's name, as given to <see cref="IBanList.BanAsync"/>.</param>
/// <param name="Until">When the ban ends.</param>
public sealed record BanEntry(string User, DateTimeOffset Until);
