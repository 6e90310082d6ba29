using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;

namespace Fleck.Chat.Diagnostics;

/// <summary>
/// Times how long each message took to be numbered, kept and published, and counts the stream calls
/// that found the backplane unavailable. Every member of the interface is forwarded explicitly,
/// defaults included, so the real log's own versions run.
/// </summary>
internal sealed class MeteredStreamLog(IStreamLog inner, ChatMetrics metrics) : IStreamLog
{
    public void LimitStreams(StreamLimits limits) => inner.LimitStreams(limits);

    public ValueTask<bool> TryOpenStreamAsync(string stream, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.TryOpenStreamAsync(stream, cancellationToken), metrics, "open");

    public async ValueTask<RoomEntry> AppendAsync(string stream, string name, string msg, long ts, int capacity, CancellationToken cancellationToken)
    {
        var start = metrics.PublishStarting();
        var entry = await MeteredCall.CountingFailureAsync(inner.AppendAsync(stream, name, msg, ts, capacity, cancellationToken), metrics, "append")
            .ConfigureAwait(false);
        metrics.BackplanePublished(start);
        return entry;
    }

    public async ValueTask<StreamAppendResult> AppendAsync(StreamAppend append, CancellationToken cancellationToken)
    {
        var start = metrics.PublishStarting();
        var result = await MeteredCall.CountingFailureAsync(inner.AppendAsync(append, cancellationToken), metrics, "append").ConfigureAwait(false);
        metrics.BackplanePublished(start);
        return result;
    }

    public ValueTask<SentMessage?> FindSentAsync(string user, string id, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.FindSentAsync(user, id, cancellationToken), metrics, "find_sent");

    public ValueTask<SentMessage> RecordSentAsync(string user, string id, SentMessage sent, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.RecordSentAsync(user, id, sent, cancellationToken), metrics, "record_sent");

    public ValueTask<bool> StreamExistsAsync(string stream, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.StreamExistsAsync(stream, cancellationToken), metrics, "exists");

    public ValueTask<RoomStreamState> ReadAsync(string stream, int count, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.ReadAsync(stream, count, cancellationToken), metrics, "read");

    public ValueTask<StreamPage> ReadPageAsync(string stream, long? before, int limit, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.ReadPageAsync(stream, before, limit, cancellationToken), metrics, "read");

    public ValueTask<long?> MarkReadAsync(string stream, string user, long offset, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.MarkReadAsync(stream, user, offset, cancellationToken), metrics, "read_marker");

    public ValueTask<long> GetReadAsync(string stream, string user, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.GetReadAsync(stream, user, cancellationToken), metrics, "read_marker");
}
