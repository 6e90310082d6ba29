using System.Collections.Concurrent;

namespace Fleck.Chat.Scaling;

/// <summary>
/// The sends with an id this process remembers (user, id → ack), for the dedup window. Bounded by
/// time: <see cref="ForgetBefore"/> runs with the streams' upkeep, and an entry past the window is
/// never answered even before it is swept.
/// Thread-safety: all members may be called concurrently.
/// </summary>
internal sealed class SentTable
{
    private readonly ConcurrentDictionary<(string User, string Id), SentMessage> _sent = new();

    public int Count => _sent.Count;

    /// <summary>The ack of the user's id, if it was sent at or after <paramref name="since"/>.</summary>
    public SentMessage? Find(string user, string id, long since) =>
        _sent.TryGetValue((user, id), out var sent) && sent.At >= since ? sent : null;

    /// <summary>Records the ack unless one within the window is there; returns what is recorded now.</summary>
    public SentMessage Record(string user, string id, SentMessage sent, long since) =>
        _sent.AddOrUpdate((user, id), sent, (_, old) => old.At >= since ? old : sent);

    public void ForgetBefore(long cutoff)
    {
        foreach (var (key, sent) in _sent)
        {
            if (sent.At < cutoff)
            {
                _sent.TryRemove(new KeyValuePair<(string, string), SentMessage>(key, sent));
            }
        }
    }
}
