namespace Fleck.Chat.Redis;

/// <summary>
/// Immutable settings of a <see cref="RedisBackplane"/>. The defaults free a dead node's nicknames
/// and tell the others it left within 20 seconds, while tolerating two missed refreshes.
/// </summary>
public sealed record RedisBackplaneOptions
{
    /// <summary>
    /// Start of every key and channel name; nodes with the same prefix share one chat, so one Redis can
    /// hold several chats. Default <c>fleckchat:</c>. On Redis Cluster, put a hash tag in it
    /// (e.g. <c>{fleckchat}:</c>) so that all keys of a chat live in one slot, as the scripts need.
    /// </summary>
    public string Prefix { get; init; } = "fleckchat:";

    /// <summary>
    /// How long a nickname claim lives without being refreshed, and how long a node's heartbeat lives.
    /// Default 15 s: three refresh intervals, so a node survives two missed refreshes (a slow GC, a
    /// brief network hiccup) before it is taken for dead.
    /// </summary>
    public TimeSpan ClaimTimeToLive { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How often a node refreshes its heartbeat and claims, and looks for dead nodes. Default 5 s.
    /// A dead node is noticed at most <see cref="ClaimTimeToLive"/> plus this after its last heartbeat.
    /// </summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a swept node's marker stays, so that it can announce its members again if it was only
    /// cut off and comes back. Default 1 hour; a node cut off longer than that comes back silently.
    /// </summary>
    public TimeSpan SweptMarkerTimeToLive { get; init; } = TimeSpan.FromHours(1);

    internal void Validate()
    {
        if (string.IsNullOrEmpty(Prefix))
        {
            throw new ArgumentException("A key prefix is required.", nameof(Prefix));
        }
        if (RefreshInterval <= TimeSpan.Zero || ClaimTimeToLive <= RefreshInterval)
        {
            throw new ArgumentException("The claim time-to-live must be longer than the refresh interval, which must be positive.", nameof(ClaimTimeToLive));
        }
    }
}
