using System.Text;

namespace Fleck.Chat.Redis.Tests.Backplane;

public sealed class DuplicateFilterTests
{
    private static readonly byte[] Alpha = Encoding.ASCII.GetBytes("0123456789abcdef");
    private static readonly byte[] Beta = Encoding.ASCII.GetBytes("fedcba9876543210");

    [Test]
    public void A_sequence_number_is_accepted_once_per_origin()
    {
        var filter = new DuplicateFilter();

        Assert.That(filter.IsFirst(Alpha, 1), Is.True);
        Assert.That(filter.IsFirst(Alpha, 1), Is.False);
        Assert.That(filter.IsFirst(Beta, 1), Is.True, "another origin counts on its own");
        Assert.That(filter.IsFirst(Alpha, 2), Is.True);
    }

    [Test]
    public void Numbers_arriving_out_of_order_within_the_window_are_each_accepted_once()
    {
        var filter = new DuplicateFilter();
        ulong[] order = [5, 3, 4, 1, 2, 9, 7, 8, 6];

        var firsts = order.Select(n => filter.IsFirst(Alpha, n)).ToArray();
        var repeats = order.Select(n => filter.IsFirst(Alpha, n)).ToArray();

        Assert.That(firsts, Is.All.True);
        Assert.That(repeats, Is.All.False);
    }

    [Test]
    public void A_number_older_than_the_window_is_taken_as_seen()
    {
        var filter = new DuplicateFilter();
        const ulong highest = 10 + DuplicateFilter.Window + 5;
        filter.IsFirst(Alpha, 10);
        filter.IsFirst(Alpha, highest);

        Assert.That(filter.IsFirst(Alpha, highest - DuplicateFilter.Window + 1), Is.True, "the oldest number still inside the window");
        Assert.That(filter.IsFirst(Alpha, highest - DuplicateFilter.Window), Is.False, "too old to tell: dropped rather than risk a repeat");
        Assert.That(filter.IsFirst(Alpha, 10), Is.False);
    }

    [Test]
    public void A_big_jump_forgets_the_old_window()
    {
        var filter = new DuplicateFilter();
        filter.IsFirst(Alpha, 3);

        Assert.That(filter.IsFirst(Alpha, 3 + (10 * DuplicateFilter.Window)), Is.True);
        Assert.That(filter.IsFirst(Alpha, 4 + (10 * DuplicateFilter.Window)), Is.True);
        Assert.That(filter.IsFirst(Alpha, 3 + (10 * DuplicateFilter.Window)), Is.False);
    }

    [Test]
    public void Forgetting_an_origin_drops_its_window()
    {
        var filter = new DuplicateFilter();
        filter.IsFirst(Alpha, 1);
        filter.IsFirst(Beta, 1);

        filter.Forget("0123456789abcdef");

        Assert.That(filter.OriginCount, Is.EqualTo(1));
        Assert.That(filter.IsFirst(Alpha, 1), Is.True);
    }
}
