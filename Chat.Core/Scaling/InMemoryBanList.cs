using System.Collections.Concurrent;
using Fleck.Chat.Protocol;

namespace Fleck.Chat.Scaling;

/// <summary>
/// An <see cref="IBanList"/> in this process's memory: for a single node, forgotten on restart.
/// A lookup is a dictionary hit, so upgrades cost nothing more while nobody is banned.
/// </summary>
public sealed class InMemoryBanList : IBanList
{
    private readonly ConcurrentDictionary<string, BanEntry> _bans = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;

    /// <summary>An empty list on the system clock.</summary>
    public InMemoryBanList() : this(TimeProvider.System)
    {
    }

    /// <summary>An empty list whose bans end by <paramref name="clock"/>.</summary>
    public InMemoryBanList(TimeProvider clock) => _clock = clock ?? throw new ArgumentNullException(nameof(clock));

    /// <inheritdoc />
    public ValueTask BanAsync(string user, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        _bans[Nickname.Key(user)] = new BanEntry(user, until);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask UnbanAsync(string user, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        _bans.TryRemove(Nickname.Key(user), out _);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> IsBannedAsync(string user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        // IsEmpty reads no lock: a chat without bans pays nothing per upgrade, not even the key.
        if (_bans.IsEmpty || !_bans.TryGetValue(Nickname.Key(user), out var ban))
        {
            return ValueTask.FromResult(false);
        }
        if (ban.Until > _clock.GetUtcNow())
        {
            return ValueTask.FromResult(true);
        }
        // Only this entry goes: a newer ban stored meanwhile stays.
        _bans.TryRemove(new KeyValuePair<string, BanEntry>(Nickname.Key(user), ban));
        return ValueTask.FromResult(false);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<BanEntry>> ListAsync(CancellationToken cancellationToken = default)
    {
        var now = _clock.GetUtcNow();
        IReadOnlyList<BanEntry> current = [.. _bans.Values.Where(b => b.Until > now).OrderBy(b => b.User, Nickname.Comparer)];
        return ValueTask.FromResult(current);
    }
}
