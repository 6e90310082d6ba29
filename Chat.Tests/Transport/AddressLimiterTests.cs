using System.Net;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Transport;

/// <summary>The per-address bookkeeping on its own, with a clock the test moves: counts, the token bucket, the table's size, and how addresses are grouped.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class AddressLimiterTests
{
    private static readonly ClientAddress A = ClientAddress.Of(IPAddress.Parse("203.0.113.7"));

    private sealed class Clock
    {
        public long Now { get; set; } = 1_000_000;
    }

    [Test]
    public void The_rate_allows_the_burst_at_once_then_refills_at_the_rate()
    {
        var clock = new Clock();
        var limiter = new AddressLimiter(maxConnections: 0, maxPending: 0, perSecond: 10, burst: 20, () => clock.Now);

        var burst = Enumerable.Range(0, 20).Select(_ => limiter.TryAdmit(A, handshaking: true)).ToArray();
        var over = limiter.TryAdmit(A, handshaking: true);
        clock.Now += 100; // one token at 10 a second
        var refilled = limiter.TryAdmit(A, handshaking: true);
        var overAgain = limiter.TryAdmit(A, handshaking: true);

        Assert.That(burst, Is.All.EqualTo(AddressVerdict.Admitted));
        Assert.That(over, Is.EqualTo(AddressVerdict.TooFast));
        Assert.That(refilled, Is.EqualTo(AddressVerdict.Admitted));
        Assert.That(overAgain, Is.EqualTo(AddressVerdict.TooFast));
        Assert.That(limiter.CountsOf(A), Is.EqualTo((21, 21)), "refused sockets are not counted");
    }

    [Test]
    public void Handshakes_and_connections_are_counted_apart_and_released()
    {
        var limiter = new AddressLimiter(maxConnections: 3, maxPending: 2, perSecond: 0, burst: 0);

        var first = limiter.TryAdmit(A, handshaking: true);
        var second = limiter.TryAdmit(A, handshaking: true);
        var thirdWhileTwoPending = limiter.TryAdmit(A, handshaking: true);
        limiter.HandshakeEnded(A, upgraded: true);
        var third = limiter.TryAdmit(A, handshaking: true);
        limiter.HandshakeEnded(A, upgraded: true);
        var fourth = limiter.TryAdmit(A, handshaking: true);
        limiter.HandshakeEnded(A, upgraded: false);
        var counts = limiter.CountsOf(A);
        limiter.Release(A);
        limiter.Release(A);

        Assert.That(new[] { first, second, third }, Is.All.EqualTo(AddressVerdict.Admitted));
        Assert.That(thirdWhileTwoPending, Is.EqualTo(AddressVerdict.TooManyPendingHandshakes));
        Assert.That(fourth, Is.EqualTo(AddressVerdict.TooManyConnections));
        Assert.That(counts, Is.EqualTo((2, 0)));
        Assert.That(limiter.Tracked, Is.Zero, "no connections and no rate: nothing to remember");
    }

    [Test]
    public void The_table_does_not_grow_with_the_number_of_addresses_ever_seen()
    {
        var clock = new Clock();
        var limiter = new AddressLimiter(maxConnections: 10, maxPending: 10, perSecond: 50, burst: 100, () => clock.Now);

        for (var round = 0; round < 10; round++)
        {
            for (uint i = 0; i < 10_000; i++)
            {
                var address = new ClientAddress(((uint)round << 24) | i, IsV6: false);
                limiter.TryAdmit(address, handshaking: true);
                limiter.HandshakeEnded(address, upgraded: false);
            }
            clock.Now += 2_000; // a full bucket again: 100 tokens at 50 a second
            limiter.Prune();
        }

        Assert.That(limiter.Tracked, Is.Zero);
    }

    [Test]
    public void An_address_with_connections_stays_while_one_without_goes_once_its_bucket_is_full()
    {
        var clock = new Clock();
        var limiter = new AddressLimiter(maxConnections: 10, maxPending: 10, perSecond: 1, burst: 2, () => clock.Now);
        var b = ClientAddress.Of(IPAddress.Parse("203.0.113.8"));
        limiter.TryAdmit(A, handshaking: true);
        limiter.TryAdmit(b, handshaking: true);
        limiter.HandshakeEnded(A, upgraded: true);
        limiter.HandshakeEnded(b, upgraded: false);

        limiter.Prune();
        var beforeRefill = limiter.Tracked;
        clock.Now += 1_000;
        limiter.Prune();

        Assert.That(beforeRefill, Is.EqualTo(2), "b's bucket is still filling, so its rate is remembered");
        Assert.That(limiter.Tracked, Is.EqualTo(1));
        Assert.That(limiter.CountsOf(A), Is.EqualTo((1, 0)));
    }

    [TestCase("2001:db8:1:2::1", "2001:db8:1:2:ffff:ee:dd:cc", true)]
    [TestCase("2001:db8:1:2::1", "2001:db8:1:3::1", false)]
    [TestCase("::ffff:192.0.2.5", "192.0.2.5", true)]
    [TestCase("192.0.2.5", "192.0.2.6", false)]
    [TestCase("::1", "0.0.0.1", false)]
    public void Ipv6_clients_are_grouped_by_their_64_bit_prefix_and_mapped_ipv4_is_ipv4(string first, string second, bool same)
    {
        var a = ClientAddress.Of(IPAddress.Parse(first));
        var b = ClientAddress.Of(IPAddress.Parse(second));

        Assert.That(a == b, Is.EqualTo(same));
    }

    [Test]
    public void An_ipv6_group_reads_as_its_prefix()
    {
        Assert.That(ClientAddress.Of(IPAddress.Parse("2001:db8:1:2::99")).ToString(), Is.EqualTo("2001:db8:1:2::/64"));
        Assert.That(ClientAddress.Of(IPAddress.Parse("::ffff:192.0.2.5")).ToString(), Is.EqualTo("192.0.2.5"));
    }

    [TestCase("198.51.100.7", "198.51.100.7")]
    [TestCase("192.0.2.1, 198.51.100.7", "198.51.100.7")]
    [TestCase("198.51.100.7, 10.0.0.2", "198.51.100.7")]
    [TestCase("198.51.100.7,10.0.0.2 , 10.0.0.3", "198.51.100.7")]
    [TestCase("198.51.100.7:4711", "198.51.100.7")]
    [TestCase("[2001:db8::7]:4711, 10.0.0.2", "2001:db8::7")]
    [TestCase("2001:db8::7", "2001:db8::7")]
    [TestCase("::ffff:10.0.0.2", null)]
    [TestCase("10.0.0.2, 10.0.0.3", null)]
    [TestCase("unknown, 10.0.0.2", null)]
    [TestCase("198.51.100.7, garbage", null)]
    [TestCase("", null)]
    public void X_forwarded_for_names_the_right_most_address_that_is_not_a_trusted_proxy(string header, string? client)
    {
        var trusted = new HashSet<IPAddress> { IPAddress.Parse("10.0.0.2"), IPAddress.Parse("10.0.0.3") };

        var found = ForwardedFor.Client(header, trusted);

        Assert.That(found?.ToString(), Is.EqualTo(client));
    }
}
