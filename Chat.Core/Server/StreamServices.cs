using Fleck.Chat.Modes;
using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Server;

/// <summary>
/// What the built-in modes need for history pages, read markers and typing: the stream log, the
/// typing throttle (shared by every node) and the signals to a stream's or a user's connections.
/// </summary>
internal sealed class StreamServices(IStreamLog log, IPresence presence, LocalStreams streams, ChatRoom room, ChatCounters counters)
{
    /// <summary>One typing per user and scope is forwarded in this time; the rest are dropped.</summary>
    public static readonly TimeSpan TypingEvery = TimeSpan.FromSeconds(2);

    public ValueTask<StreamPage> ReadPageAsync(string stream, long? before, int limit, CancellationToken cancellationToken) =>
        log.ReadPageAsync(stream, before, limit, cancellationToken);

    public ValueTask<long?> MarkReadAsync(string stream, string user, long offset, CancellationToken cancellationToken) =>
        log.MarkReadAsync(stream, user, offset, cancellationToken);

    public ValueTask<long> GetReadAsync(string stream, string user, CancellationToken cancellationToken) =>
        log.GetReadAsync(stream, user, cancellationToken);

    /// <summary>Whether <paramref name="user"/> may signal typing in <paramref name="scope"/> now; a typing refused (or that cannot be checked) is counted as dropped.</summary>
    public async ValueTask<bool> TryTakeTypingTurnAsync(string user, string scope, CancellationToken cancellationToken)
    {
        try
        {
            if (await presence.TryTakeTypingTurnAsync(user, scope, TypingEvery, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }
        catch (BackplaneUnavailableException)
        {
            // Typing is a hint: without the shared throttle it is dropped rather than sent unthrottled.
        }
        counters.TypingDropped();
        return false;
    }

    /// <summary>To the stream's v=3 members on every node, but <paramref name="exceptUser"/>'s connections.</summary>
    public void SignalStream(string stream, string exceptUser, OutgoingMessage message) => streams.Signal(stream, exceptUser, message);

    /// <summary>To <paramref name="nickname"/>'s v=3 connections on every node, but <paramref name="except"/>.</summary>
    public void SignalUser(string nickname, ChatMember? except, OutgoingMessage message) => room.SignalUser(nickname, except, message);
}
