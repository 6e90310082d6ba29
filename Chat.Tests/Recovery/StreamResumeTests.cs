using Fleck.Chat.Modes;
using Fleck.Chat.Rooms;

namespace Fleck.Chat.Tests.Recovery;

/// <summary>The resume rule on its own: which history a returning client gets, and whether it is all it missed.</summary>
public sealed class StreamResumeTests
{
    private static readonly RoomStreamState Stream = new("e1", 5, [Entry(3), Entry(4), Entry(5)]);

    private static RoomEntry Entry(long offset) => new("a", $"m{offset}", offset, offset);

    [TestCase(2, new long[] { 3, 4, 5 })]
    [TestCase(4, new long[] { 5 })]
    [TestCase(5, new long[0])]
    public void A_resume_in_the_same_epoch_from_within_the_kept_history_gets_exactly_what_came_after(long since, long[] expected)
    {
        var snapshot = StreamResume.Snapshot("r", [], Stream, new StreamPosition(since, "e1"), int.MaxValue);

        Assert.That(snapshot.Recovered, Is.True);
        Assert.That(snapshot.History.Select(e => e.Offset), Is.EqualTo(expected));
        Assert.That(snapshot.Offset, Is.EqualTo(5));
    }

    [TestCase(1, "e1", TestName = "A resume from before the kept history is not recovered")]
    [TestCase(3, "e0", TestName = "A resume from another epoch is not recovered")]
    [TestCase(3, null, TestName = "A resume without an epoch is not recovered")]
    [TestCase(6, "e1", TestName = "A resume from past the latest offset is not recovered")]
    [TestCase(-1, "e1", TestName = "A resume from a negative offset is not recovered")]
    public void A_resume_that_cannot_be_served_gets_the_recent_history(long since, string? epoch)
    {
        var snapshot = StreamResume.Snapshot("r", [], Stream, new StreamPosition(since, epoch), int.MaxValue);

        Assert.That(snapshot.Recovered, Is.False);
        Assert.That(snapshot.History, Is.EqualTo(Stream.History));
    }

    [Test]
    public void Without_a_resume_point_the_snapshot_is_the_recent_history_with_no_recovery_flag()
    {
        var snapshot = StreamResume.Snapshot("r", [], Stream, null, int.MaxValue);

        Assert.That(snapshot.Recovered, Is.Null);
        Assert.That(snapshot.History, Is.EqualTo(Stream.History));
    }

    [TestCase("since=12&epoch=ab%2Fcd", 12, "ab/cd")]
    [TestCase("access_token=x&since=0", 0, null)]
    [TestCase("epoch=e&since=7", 7, "e")]
    public void The_resume_point_is_read_from_the_query(string query, long since, string? epoch) =>
        Assert.That(NickBroadcastMode.ResumePoint(query), Is.EqualTo(new StreamPosition(since, epoch)));

    [TestCase("")]
    [TestCase("epoch=e")]
    [TestCase("since=abc&epoch=e")]
    [TestCase("since=-3&epoch=e")]
    public void Without_a_valid_since_there_is_no_resume_point(string query) =>
        Assert.That(NickBroadcastMode.ResumePoint(query), Is.Null);
}
