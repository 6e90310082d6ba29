using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Modes.Support;

/// <summary>
/// What one member of a nick-broadcast chat saw of a numbered conversation, from the moment it
/// connected: the order of its events, and the numbers it got from the history and live.
/// </summary>
internal sealed class JoinTranscript
{
    private JoinTranscript(string nickname) => Nickname = nickname;

    public string Nickname { get; }

    /// <summary>Event types in arrival order (users, history, message), the sender's messages only.</summary>
    public List<string> Order { get; } = [];

    public List<int> History { get; } = [];

    public List<int> Live { get; } = [];

    /// <summary>Reads events until the live message <paramref name="endMarker"/>; <paramref name="joined"/> completes at the users event.</summary>
    public static async Task<JoinTranscript> RecordAsync(TypedClient client, string nickname, string sender, string endMarker, TaskCompletionSource joined, CancellationToken ct)
    {
        var transcript = new JoinTranscript(nickname);
        while (true)
        {
            var e = await client.ReceiveEventAsync(ct);
            var type = e.GetProperty("type").GetString()!;
            if (type == "users")
            {
                transcript.Order.Add(type);
                joined.TrySetResult();
                continue;
            }
            if (type is not ("history" or "message") || e.GetProperty("name").GetString() != sender)
            {
                continue;
            }
            var text = e.GetProperty("msg").GetString()!;
            if (type == "message" && text == endMarker)
            {
                return transcript;
            }
            transcript.Order.Add(type);
            (type == "history" ? transcript.History : transcript.Live).Add(int.Parse(text, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// Checks that the member saw messages 1..<paramref name="sent"/> with none missing: its users
    /// event first, then the history (all of it, since it holds every message sent), then the live
    /// messages, each run in order and without gaps, the live run taking over where the history
    /// ended. Returns how many messages it saw twice (at the seam, in both runs).
    /// </summary>
    public int AssertSawEveryMessage(int sent)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Order.FirstOrDefault(), Is.EqualTo("users"), $"{Nickname}: nothing of the chat comes before the users event");
            Assert.That(Order.SkipWhile(t => t != "message").Contains("history"), Is.False, $"{Nickname}: the history comes before live messages");
            Assert.That(History, Is.EqualTo(Enumerable.Range(1, History.Count)), $"{Nickname}: the history is every message so far, in order");
            Assert.That(Live, Is.EqualTo(Live.Count == 0 ? [] : Enumerable.Range(Live[0], Live.Count)), $"{Nickname}: live messages arrive in order, with no gap");
            var next = Live.Count == 0 ? sent + 1 : Live[0];
            Assert.That(next, Is.LessThanOrEqualTo(History.Count + 1), $"{Nickname}: live messages take over where the history ended (history 1..{History.Count}, live from {next})");
            Assert.That(Live.Count == 0 ? History.Count : Live[^1], Is.EqualTo(sent), $"{Nickname}: every message up to the last was seen");
        }
        return Live.Count == 0 ? 0 : Math.Max(0, History.Count - Live[0] + 1);
    }
}
