using Fleck.Chat.Host.Cli;

namespace Fleck.Chat.Tests.Host;

/// <summary><c>--stream-ttl</c> reads a whole number and a unit, as an operator writes a duration.</summary>
public sealed class StreamTtlFlagTests
{
    [TestCase("90s", 90)]
    [TestCase("10m", 600)]
    [TestCase("2h", 7200)]
    [TestCase("1d", 86_400)]
    public async Task A_duration_with_its_unit_is_the_streams_time_to_live(string value, int seconds)
    {
        HostSettings? settings = null;
        var parsed = HostCommand.Create((s, _) =>
        {
            settings = s;
            return Task.FromResult(0);
        }).Parse(["--stream-ttl", value]);

        Assert.That(parsed.Errors, Is.Empty);
        Assert.That(await parsed.InvokeAsync(), Is.Zero);
        Assert.That(settings!.StreamTtl, Is.EqualTo(TimeSpan.FromSeconds(seconds)));
    }

    [Test]
    public async Task Without_the_flag_streams_live_a_day()
    {
        HostSettings? settings = null;
        await HostCommand.Create((s, _) =>
        {
            settings = s;
            return Task.FromResult(0);
        }).Parse([]).InvokeAsync();

        Assert.That(settings!.StreamTtl, Is.EqualTo(TimeSpan.FromDays(1)));
        Assert.That(settings.Retain, Is.EqualTo(1000));
        Assert.That(settings.RetainBytes, Is.EqualTo(1_048_576));
        Assert.That(settings.HistoryMemory, Is.EqualTo(268_435_456));
        Assert.That(settings.MaxStreams, Is.EqualTo(100_000));
    }
}
