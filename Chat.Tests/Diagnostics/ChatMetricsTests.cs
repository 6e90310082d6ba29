using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using Fleck.Chat.Modes;
using Fleck.Chat.Tests.Modes;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Diagnostics;

/// <summary>The <c>Fleck.Chat</c> meter of servers in the test process, read with a <see cref="MeterListener"/>.</summary>
[CancelAfter(30_000)]
public sealed class ChatMetricsTests
{
    [Test]
    public async Task Two_servers_in_one_process_each_report_their_own_connections_on_the_meter_their_factory_made()
    {
        var ct = TestTimeouts.Token();
        using var busyFactory = new RecordingMeterFactory();
        using var quietFactory = new RecordingMeterFactory();
        await using var busy = await ChatFixture.StartAsync(new BroadcastMode(), new ChatServerOptions { MeterFactory = busyFactory });
        await using var quiet = await ChatFixture.StartAsync(new BroadcastMode(), new ChatServerOptions { MeterFactory = quietFactory });
        await busy.ConnectAsync("/websocket", ct);
        await busy.ConnectAsync("/websocket", ct);
        await Assert.ThrowsAsync<WebSocketException>(async () => await busy.ConnectAsync("/no-such-path", ct));
        await busy.WaitForMembersAsync(2, ct);

        var seen = new List<(Meter Meter, string Instrument, long Value, string? Reason)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (busyFactory.Made.Contains(instrument.Meter) || quietFactory.Made.Contains(instrument.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => seen.Add((instrument.Meter, instrument.Name, value, null)));
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            seen.Add((instrument.Meter, instrument.Name, value, tags.Length > 0 ? tags[0].Value as string : null)));
        listener.Start();
        listener.RecordObservableInstruments();

        long Read(RecordingMeterFactory factory, string name, string? reason = null) =>
            seen.Single(s => factory.Made.Contains(s.Meter) && s.Instrument == name && s.Reason == reason).Value;

        Assert.That(busyFactory.Made.Single().Name, Is.EqualTo(ChatServer.MeterName));
        Assert.That(Read(busyFactory, "fleck.chat.connections"), Is.EqualTo(2));
        Assert.That(Read(quietFactory, "fleck.chat.connections"), Is.Zero);
        Assert.That(Read(busyFactory, "fleck.chat.members"), Is.EqualTo(2));
        Assert.That(Read(busyFactory, "fleck.chat.handshakes.refused", "not_found"), Is.EqualTo(1));
        Assert.That(Read(quietFactory, "fleck.chat.handshakes.refused", "not_found"), Is.Zero);
    }

    [Test]
    public async Task A_client_that_never_reads_while_others_chat_is_cut_and_the_slow_consumer_counter_moves_by_exactly_one()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(50));
        using var factory = new RecordingMeterFactory();
        var options = new ChatServerOptions
        {
            MeterFactory = factory,
            MessagesPerSecond = 0,
            Transport = new WebSocketServerOptions { MaxQueuedMessages = 64, MaxQueuedBytes = 64 * 1024, CloseTimeout = TimeSpan.FromMilliseconds(500) },
        };
        await using var chat = await ChatFixture.StartAsync(new BroadcastMode(), options);
        var talker = await chat.ConnectAnonymousAsync(ct);
        var listener = await chat.ConnectAnonymousAsync(ct);
        await using var stalled = await RawWebSocketClient.ConnectAsync(chat.Server.Port, "/websocket", ct);
        stalled.Socket.ReceiveBufferSize = 4096;
        await chat.WaitForMembersAsync(3, ct);
        var before = factory.ReadObservable("fleck.chat.slow_consumers");

        // Paced rounds: the two readers keep up while the stalled client's buffers and queue fill.
        const int Rounds = 400, PerRound = 8;
        var text = new string('x', 4000);
        for (var round = 0; round < Rounds && chat.Server.GetStatistics().Connections == 3; round++)
        {
            for (var i = 0; i < PerRound; i++)
            {
                await talker.SendTextAsync(text, ct);
            }
            for (var i = 0; i < PerRound; i++)
            {
                await talker.ReceiveTextAsync(ct);
                await listener.ReceiveTextAsync(ct);
            }
        }
        await chat.WaitForConnectionsAsync(2, ct);
        await talker.SendTextAsync("marker", ct);
        var atTalker = await talker.ReceiveTextsUntilAsync("marker", ct);
        var atListener = await listener.ReceiveTextsUntilAsync("marker", ct);

        Assert.That(before, Is.Zero);
        Assert.That(factory.ReadObservable("fleck.chat.slow_consumers"), Is.EqualTo(1), "the stalled client, and neither reader");
        Assert.That(atTalker, Is.EqualTo(new[] { "marker" }), "the readers were kept, and had everything before the marker");
        Assert.That(atListener, Is.EqualTo(new[] { "marker" }));
    }
}
