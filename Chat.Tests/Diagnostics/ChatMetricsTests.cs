using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using Fleck.Chat.Modes;
using Fleck.Chat.Tests.Modes;
using Fleck.Chat.Tests.Support;

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

    /// <summary>Makes meters the way a dependency-injection container's factory does, and remembers them.</summary>
    private sealed class RecordingMeterFactory : IMeterFactory
    {
        public List<Meter> Made { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            Made.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in Made)
            {
                meter.Dispose();
            }
        }
    }
}
