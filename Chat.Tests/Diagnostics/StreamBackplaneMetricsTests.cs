using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Diagnostics;

/// <summary>The streams' backplane calls (rooms, nick-broadcast's chat) are metered like the rest of the backplane.</summary>
[CancelAfter(30_000)]
public sealed class StreamBackplaneMetricsTests
{
    [Test]
    public async Task A_room_message_moves_the_publish_histogram_and_an_append_that_finds_the_backplane_unavailable_moves_the_error_counter()
    {
        var ct = TestTimeouts.Token();
        using var factory = new RecordingMeterFactory();
        var backplane = new StreamOutageBackplane();
        var published = 0;
        var errors = new ConcurrentQueue<string?>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (factory.Made.Contains(instrument.Meter) && instrument.Name is "fleck.chat.backplane.publish.duration" or "fleck.chat.backplane.errors")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref published));
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) => errors.Enqueue(tags.ToArray().Single(t => t.Key == "operation").Value as string));
        listener.Start();
        await using var chat = await ChatFixture.StartAsync(new RoomsMode(), new ChatServerOptions { MeterFactory = factory, Backplane = backplane });
        await using var alice = await TypedClient.ConnectAsync(chat.Server.Port, "/websocket/alice", ct);
        await NextOfTypeAsync(alice, "users", ct);
        await alice.SendTextAsync("""{"type":"join","room":"lobby"}""", ct);
        await NextOfTypeAsync(alice, "joined", ct);

        var beforeMessage = await PublishedAfterHandlingAsync(alice, () => Volatile.Read(ref published), ct);
        await alice.SendTextAsync("""{"type":"message","room":"lobby","msg":"hello"}""", ct);
        await NextOfTypeAsync(alice, "message", ct);
        var afterMessage = await PublishedAfterHandlingAsync(alice, () => Volatile.Read(ref published), ct);
        backplane.Down = true;
        await alice.SendTextAsync("""{"type":"message","room":"lobby","msg":"cannot be numbered"}""", ct);
        var refused = await NextOfTypeAsync(alice, "error", ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(afterMessage, Is.GreaterThan(beforeMessage), "the message's append was timed");
            Assert.That(refused.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.Unavailable));
            Assert.That(errors, Is.EqualTo(new[] { "append" }), "the failed append, and nothing else, was counted");
        }
    }

    /// <summary>
    /// Reads <paramref name="read"/> once everything the client sent before has been handled: the
    /// server handles one client's messages one at a time, so the answer to a room list comes after.
    /// </summary>
    private static async Task<int> PublishedAfterHandlingAsync(TypedClient client, Func<int> read, CancellationToken ct)
    {
        await client.SendTextAsync("""{"type":"rooms"}""", ct);
        await NextOfTypeAsync(client, "rooms", ct);
        return read();
    }

    private static async Task<JsonElement> NextOfTypeAsync(TypedClient client, string type, CancellationToken ct)
    {
        while (true)
        {
            var e = await client.ReceiveEventAsync(ct);
            if (e.GetProperty("type").GetString() == type)
            {
                return e;
            }
        }
    }
}
