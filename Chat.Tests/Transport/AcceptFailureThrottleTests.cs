using System.Net.Sockets;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Transport;

/// <summary>How the accept loop paces itself and reports when accepting fails for lack of descriptors or buffers.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class AcceptFailureThrottleTests
{
    private sealed class Clock
    {
        public long Now { get; set; } = 5_000;
    }

    [Test]
    public void Thousands_of_failures_are_reported_once_per_interval_with_their_count()
    {
        var clock = new Clock();
        var throttle = new AcceptFailureThrottle(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), () => clock.Now);
        var reports = new List<(long At, int Failures, int Seconds)>();

        // 5,000 failures a second for 25 s, as a loop that retried at once would see.
        for (var i = 0; i < 125_000; i++)
        {
            clock.Now = 5_000 + i / 5;
            throttle.OnFailure(out var failures, out var seconds);
            if (failures > 0)
            {
                reports.Add((clock.Now, failures, seconds));
            }
        }

        Assert.That(reports.Select(r => r.At), Is.EqualTo(new long[] { 5_000, 15_000, 25_000 }));
        Assert.That(reports.Select(r => r.Failures).Sum(), Is.EqualTo(125_000 - 5 * 5_000 + 1), "every failure up to the last report is counted in one");
        Assert.That(reports[0].Failures, Is.EqualTo(1));
        Assert.That(reports[1].Seconds, Is.EqualTo(10));
    }

    [Test]
    public void The_wait_doubles_from_50_ms_to_1_s_and_starts_over_after_an_accept()
    {
        var clock = new Clock();
        var throttle = new AcceptFailureThrottle(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), () => clock.Now);

        var waits = Enumerable.Range(0, 8).Select(_ => throttle.OnFailure(out _, out _).TotalMilliseconds).ToArray();
        throttle.OnAccepted();
        var afterAccept = throttle.OnFailure(out var reported, out _);

        Assert.That(waits, Is.EqualTo(new double[] { 50, 100, 200, 400, 800, 1000, 1000, 1000 }));
        Assert.That(afterAccept, Is.EqualTo(TimeSpan.FromMilliseconds(50)));
        Assert.That(reported, Is.Zero, "within the interval of the last report");
    }

    [TestCase(SocketError.TooManyOpenSockets, true)]
    [TestCase(SocketError.NoBufferSpaceAvailable, true)]
    [TestCase(SocketError.SocketError, true)]
    [TestCase(SocketError.ConnectionReset, false)]
    [TestCase(SocketError.ConnectionAborted, false)]
    public void Only_a_shortage_of_resources_makes_the_loop_wait(SocketError error, bool waits)
    {
        Assert.That(AcceptFailureThrottle.IsResourceShortage(error), Is.EqualTo(waits));
    }
}
