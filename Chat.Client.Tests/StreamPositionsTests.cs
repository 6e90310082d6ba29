namespace Fleck.Chat.Client.Tests;

/// <summary>Which numbered messages the client yields, and when it reports a gap.</summary>
public sealed class StreamPositionsTests
{
    [Test]
    public void Each_offset_of_an_epoch_is_accepted_once()
    {
        var streams = new StreamPositions();
        streams.Entered("lobby", "e1", latest: 0);

        Assert.That(new long[] { 1, 2, 2, 1, 3 }.Select(o => streams.Accept("lobby", o)), Is.EqualTo(new[] { true, true, false, false, true }));
    }

    [Test]
    public void A_first_join_replays_history_and_resumes_from_the_joined_offset()
    {
        var streams = new StreamPositions();

        Assert.That(streams.Entered("lobby", "e1", latest: 40), Is.False);
        Assert.That(streams.Accept("lobby", 39), Is.True, "history up to the joined offset is yielded");
        Assert.That(streams.Get("lobby")!.ResumeFrom, Is.EqualTo(40), "and what came before the client is not asked for again");
    }

    [Test]
    public void A_new_epoch_is_one_gap_and_starts_the_offsets_over()
    {
        var streams = new StreamPositions();
        streams.Entered(StreamPositions.Own, "e1", 0);
        streams.Accept(StreamPositions.Own, 5);

        Assert.Multiple(() =>
        {
            Assert.That(streams.Entered(StreamPositions.Own, "e2", 0), Is.True);
            Assert.That(streams.Recovered(StreamPositions.Own, recovered: false), Is.False, "reported with the epoch change already");
            Assert.That(streams.Accept(StreamPositions.Own, 1), Is.True);
        });
    }

    [Test]
    public void Recovered_false_on_the_same_epoch_is_a_gap()
    {
        var streams = new StreamPositions();
        streams.Entered("lobby", "e1", 0);
        streams.Entered("lobby", "e1", 900);

        Assert.Multiple(() =>
        {
            Assert.That(streams.Recovered("lobby", recovered: false), Is.True);
            Assert.That(streams.Recovered("lobby", recovered: true), Is.False);
        });
    }

    [Test]
    public void Messages_of_a_stream_not_entered_pass_unfiltered() =>
        Assert.That(new StreamPositions().Accept(StreamPositions.Own, 3), Is.True);
}
