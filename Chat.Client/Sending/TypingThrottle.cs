namespace Fleck.Chat.Client.Sending;

/// <summary>
/// Lets one typing notice per scope through every 2 s, the server's own rate for forwarding them
/// (SPEC Part 3): more would be dropped there anyway, so they are not sent.
/// </summary>
internal sealed class TypingThrottle(TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, DateTimeOffset> _last = new(StringComparer.Ordinal);

    /// <summary>True when a typing notice for <paramref name="scope"/> may go out now (and records that it did).</summary>
    public bool TryPass(string scope)
    {
        var now = time.GetUtcNow();
        lock (_last)
        {
            if (_last.TryGetValue(scope, out var last) && now - last < Interval)
            {
                return false;
            }
            _last[scope] = now;
            return true;
        }
    }
}
