using System.Threading.Channels;
using Fleck.Chat.Host;
using Fleck.Chat.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleck.Chat.Tests.Host;

/// <summary>The compaction after a burst of connections: once per burst that is large enough, when the count stops growing.</summary>
[CancelAfter(30_000)]
public sealed class AcceptBurstTrimTests
{
    [Test]
    public async Task A_burst_is_trimmed_once_when_it_stops_growing_and_a_small_one_is_not_trimmed()
    {
        var ct = TestTimeouts.Token();
        var connections = 0;
        var trims = Channel.CreateUnbounded<(int Open, int Added)>();
        await using var trim = new AcceptBurstTrim(() => Volatile.Read(ref connections), NullLogger.Instance, TimeSpan.FromMilliseconds(20),
            quietTicks: 2, minimumGrowth: 10, trimmed: (open, added) => trims.Writer.TryWrite((open, added)));

        // Too few to be worth a collection: had it been trimmed, the next burst would count from 5.
        Volatile.Write(ref connections, 5);
        await WaitForTicksAsync(ct);
        Volatile.Write(ref connections, 12);
        Assert.That(await trims.Reader.ReadAsync(ct), Is.EqualTo((12, 12)));

        // Clients leave and others come: growth counts from the low point, and a quiet count is trimmed only once.
        Volatile.Write(ref connections, 3);
        await WaitForTicksAsync(ct);
        Volatile.Write(ref connections, 20);
        Assert.That(await trims.Reader.ReadAsync(ct), Is.EqualTo((20, 17)));
        await WaitForTicksAsync(ct);
        Volatile.Write(ref connections, 31);
        Assert.That(await trims.Reader.ReadAsync(ct), Is.EqualTo((31, 11)), "a second trim of the same burst came first");
    }

    /// <summary>Lets the trim's timer read the current count a few times.</summary>
    private static async Task WaitForTicksAsync(CancellationToken ct)
    {
        using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        for (var i = 0; i < 5; i++)
        {
            await ticks.WaitForNextTickAsync(ct);
        }
    }
}
