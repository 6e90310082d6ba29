using System.Diagnostics.Metrics;

namespace Fleck.Chat.Tests.Support;

/// <summary>
/// Makes meters the way a dependency-injection container's factory does, and remembers them, so a
/// test reads the meters of its own server only, not those of other tests' servers in the process.
/// </summary>
internal sealed class RecordingMeterFactory : IMeterFactory
{
    public List<Meter> Made { get; } = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options);
        Made.Add(meter);
        return meter;
    }

    /// <summary>The one value the observable instrument <paramref name="name"/> of these meters reports now.</summary>
    public long ReadObservable(string name)
    {
        var values = new List<long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (Made.Contains(instrument.Meter) && instrument.Name == name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => values.Add(value));
        listener.Start();
        listener.RecordObservableInstruments();
        return values.Single();
    }

    public void Dispose()
    {
        foreach (var meter in Made)
        {
            meter.Dispose();
        }
    }
}
