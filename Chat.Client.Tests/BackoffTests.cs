using Fleck.Chat.Client.Connection;

namespace Fleck.Chat.Client.Tests;

/// <summary>The reconnect backoff: full jitter under a ceiling that doubles from 0.5 s to 20 s.</summary>
public sealed class BackoffTests
{
    private static readonly TimeSpan Base = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(20);

    [TestCase(0, 0.5)]
    [TestCase(1, 1)]
    [TestCase(2, 2)]
    [TestCase(5, 16)]
    [TestCase(6, 20)]
    [TestCase(40, 20)]
    [TestCase(int.MaxValue, 20)]
    public void The_ceiling_doubles_from_half_a_second_up_to_twenty(int attempt, double seconds) =>
        Assert.That(new ReconnectBackoff(Base, Max, () => 1).Ceiling(attempt), Is.EqualTo(TimeSpan.FromSeconds(seconds)));

    [Test]
    public void The_delay_is_the_random_fraction_of_the_ceiling()
    {
        var draws = new Queue<double>([0, 1, 0.25, 0.5]);
        var backoff = new ReconnectBackoff(Base, Max, draws.Dequeue);

        Assert.That(Enumerable.Range(0, 4).Select(_ => backoff.Delay(3)), Is.EqualTo(new[]
        {
            TimeSpan.Zero, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2),
        }));
    }

    [Test]
    public void Every_delay_lies_between_zero_and_the_ceiling()
    {
        var backoff = new ReconnectBackoff(Base, Max);
        for (var attempt = 0; attempt < 12; attempt++)
        {
            for (var draw = 0; draw < 200; draw++)
            {
                Assert.That(backoff.Delay(attempt), Is.InRange(TimeSpan.Zero, backoff.Ceiling(attempt)));
            }
        }
    }

    [TestCase(4001, false, true)]
    [TestCase(4002, false, true)]
    [TestCase(4004, true, true)]
    [TestCase(1008, true, true)]
    [TestCase(403, true, true)]
    [TestCase(4401, true, false)]
    [TestCase(4401, false, true)]
    [TestCase(401, true, false)]
    [TestCase(1001, false, false)]
    [TestCase(null, false, false)]
    public void Only_closes_meant_for_good_stop_the_reconnects(int? code, bool canRenewToken, bool final) =>
        Assert.That(new SessionEnd(code, "", null).Final(canRenewToken), Is.EqualTo(final));
}
