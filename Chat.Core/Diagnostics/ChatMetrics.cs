using System.Diagnostics;
using System.Diagnostics.Metrics;
using Fleck.Chat.Scaling;
using Fleck.Chat.Server;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Diagnostics;

/// <summary>
/// One chat server's instruments on the <c>Fleck.Chat</c> meter. The busy totals (messages,
/// deliveries, bytes) are already kept by <see cref="ChatCounters"/> once per message; they are
/// published as observable counters read at collection time, so a message costs nothing more than it
/// did before metrics existed. The rare transport events are read the same way from
/// <see cref="TransportCounters"/>. Only the backplane records directly (errors and publish time).
/// </summary>
internal sealed class ChatMetrics : IDisposable
{
    /// <summary>The meter's name, for <c>AddMeter</c>, <c>dotnet-counters --counters</c> and the like.</summary>
    public const string MeterName = "Fleck.Chat";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _backplaneErrors;
    private readonly Histogram<double> _backplanePublish;

    public ChatMetrics(IMeterFactory? meterFactory, Func<int> connections, Func<int> members, ChatCounters chat, Func<TransportCounters> transport, IChatStreamStore? store = null, Func<int>? streams = null)
    {
        // A factory owns (and disposes) the meters it creates; a meter made here is this server's to dispose.
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);

        _meter.CreateObservableUpDownCounter("fleck.chat.connections", connections, "{connection}",
            "Open WebSocket connections (answered 101 and not yet ended).");
        _meter.CreateObservableUpDownCounter("fleck.chat.members", members, "{member}",
            "Members in the chat on this node (connections that have joined).");
        _meter.CreateObservableCounter("fleck.chat.messages.received", () => chat.Received, "{message}",
            "Chat messages received from clients.");
        _meter.CreateObservableCounter("fleck.chat.deliveries", () => chat.DeliveredCount, "{message}",
            "Messages queued to a client: one per recipient.");
        _meter.CreateObservableCounter("fleck.chat.bytes.sent", () => chat.Bytes, "By",
            "Bytes of the frames queued to clients, summed over recipients.");
        _meter.CreateObservableCounter("fleck.chat.slow_consumers", () => transport().SlowConsumers, "{connection}",
            "Clients cut (close 1008) because their send queue overflowed.");
        _meter.CreateObservableCounter("fleck.chat.handshakes.refused", () => Refusals(transport()), "{handshake}",
            "WebSocket upgrades refused, by reason.");
        _meter.CreateObservableCounter("fleck.chat.resumes", () => Resumes(chat), "{resume}",
            "Clients that reconnected asking to resume a stream, by outcome: recovered (got every message they missed) or unrecovered (recent history only).");
        _meter.CreateObservableCounter("fleck.chat.bans", () => chat.Bans, "{ban}",
            "Bans applied through the server API (or ChatServer.BanUserAsync) on this node.");
        _meter.CreateObservableCounter("fleck.chat.refreshes", () => Refreshes(chat), "{refresh}",
            "Token refreshes on live connections, by result: accepted (the connection lives until the new expiry) or refused.");
        _meter.CreateObservableCounter("fleck.chat.acks", () => chat.Acks, "{ack}",
            "Sends with an id acknowledged to the sender, duplicates included.");
        _meter.CreateObservableCounter("fleck.chat.duplicates", () => chat.Duplicates, "{send}",
            "Re-sends of an id already seen within the dedup window: acknowledged again, not delivered.");
        _meter.CreateObservableCounter("fleck.chat.typing.dropped", () => chat.TypingDroppedCount, "{event}",
            "Typing signals dropped by the throttle (one per user and scope per 2 s is forwarded).");
        _backplaneErrors = _meter.CreateCounter<long>("fleck.chat.backplane.errors", "{error}",
            "Backplane calls that failed because the backplane was unavailable, by operation.");
        _backplanePublish = _meter.CreateHistogram<double>("fleck.chat.backplane.publish.duration", "s",
            "Time to hand one message to the backplane for the other nodes: a publish, or a stream's append (numbered, kept and published) until it is confirmed.");

        if (store is not null and not InMemoryChatStreamStore)
        {
            // Only a store that can fail reports; from the start, so a dashboard sees 0 rather than nothing.
            _meter.CreateObservableCounter("fleck.chat.store.errors", () => store.ErrorCount, "{error}",
                "Messages delivered but not kept by the history store: a failed write or a full write queue.");
        }

        if (streams is not null)
        {
            // Only where this process holds the streams: with a shared backplane they live there.
            _meter.CreateObservableUpDownCounter("fleck.chat.streams", streams, "{stream}",
                "Streams (nick-broadcast's chat, rooms) this process holds: each is forgotten once unused for the stream time to live.");
        }

        // Rooms (--mode rooms) add fleck.chat.rooms (observable up-down counter of open rooms) here.
    }

    /// <summary>The backplane failed one call of kind <paramref name="operation"/> (e.g. <c>claim</c>).</summary>
    public void BackplaneError(string operation) =>
        _backplaneErrors.Add(1, new KeyValuePair<string, object?>("operation", operation));

    /// <summary>A publish starts: a <see cref="Stopwatch"/> timestamp for <see cref="BackplanePublished"/>, or null when nobody listens to the publish time (the clock is not read).</summary>
    public long? PublishStarting() => _backplanePublish.Enabled ? Stopwatch.GetTimestamp() : null;

    /// <summary>A publish took from <paramref name="startTimestamp"/> (from <see cref="PublishStarting"/>) until now; nothing when that was null.</summary>
    public void BackplanePublished(long? startTimestamp)
    {
        if (startTimestamp is { } start && _backplanePublish.Enabled)
        {
            _backplanePublish.Record(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
    }

    private static Measurement<long>[] Resumes(ChatCounters chat) =>
    [
        new(chat.Recovered, new KeyValuePair<string, object?>("outcome", "recovered")),
        new(chat.Unrecovered, new KeyValuePair<string, object?>("outcome", "unrecovered")),
    ];

    private static Measurement<long>[] Refreshes(ChatCounters chat) =>
    [
        new(chat.RefreshesAccepted, new KeyValuePair<string, object?>("result", "accepted")),
        new(chat.RefreshesRefused, new KeyValuePair<string, object?>("result", "refused")),
    ];

    private static IEnumerable<Measurement<long>> Refusals(TransportCounters transport)
    {
        foreach (var reason in HandshakeRefusalReasons.All)
        {
            yield return new Measurement<long>(transport.Refused(reason),
                new KeyValuePair<string, object?>("reason", HandshakeRefusalReasons.Tag(reason)));
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
