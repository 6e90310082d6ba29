using Fleck.Chat.Protocol;
using Fleck.Chat.Scaling;

namespace Fleck.Chat;

/// <summary>Keeping a user out for a while: the server API's <c>/api/ban</c>, <c>/api/unban</c> and <c>/api/bans</c>.</summary>
public sealed partial class ChatServer
{
    /// <summary>The longest ban: a year.</summary>
    public static readonly TimeSpan MaxBanDuration = TimeSpan.FromDays(365);

    /// <summary>
    /// Bans <paramref name="user"/> (a nickname, compared as nicknames are; with identity the token's
    /// name) for <paramref name="duration"/>: its upgrades are refused with 403 on every node sharing
    /// <see cref="ChatServerOptions.Bans"/>, and every connection it has, on every node, is closed with
    /// <see cref="ChatErrorCode.CloseDisconnected"/> (4004). A second ban of the same user replaces the first.
    /// </summary>
    /// <returns>When the ban ends.</returns>
    /// <exception cref="ArgumentException"><paramref name="user"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is not positive or exceeds <see cref="MaxBanDuration"/>.</exception>
    /// <exception cref="BackplaneUnavailableException">The shared ban list cannot be reached; nobody was banned.</exception>
    public async Task<DateTimeOffset> BanUserAsync(string user, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(duration, MaxBanDuration);
        var until = DateTimeOffset.UtcNow + duration;
        user = user.Trim();
        // Stored before the connections are told to close: a reconnect racing the close is refused.
        await _bans.BanAsync(user, until, cancellationToken).ConfigureAwait(false);
        _room.Disconnect(user, ChatErrorCode.CloseDisconnected);
        _counters.Banned();
        return until;
    }

    /// <summary>Lifts the ban of <paramref name="user"/>; idempotent.</summary>
    /// <exception cref="ArgumentException"><paramref name="user"/> is null or empty.</exception>
    /// <exception cref="BackplaneUnavailableException">The shared ban list cannot be reached.</exception>
    public async Task UnbanUserAsync(string user, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        await _bans.UnbanAsync(user.Trim(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The bans in force now.</summary>
    /// <exception cref="BackplaneUnavailableException">The shared ban list cannot be reached.</exception>
    public async Task<IReadOnlyList<BanEntry>> GetBansAsync(CancellationToken cancellationToken = default) =>
        await _bans.ListAsync(cancellationToken).ConfigureAwait(false);
}
