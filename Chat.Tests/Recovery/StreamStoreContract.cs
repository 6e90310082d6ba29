using Fleck.Chat.Tests.Support;
using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;

namespace Fleck.Chat.Tests.Recovery;

/// <summary>
/// What every <see cref="IChatStreamStore"/> that keeps streams must do, run against each such
/// implementation: a stream is opened, appended to in offset order, and read back as it was left
/// until it is forgotten.
/// </summary>
[CancelAfter(30_000)]
public abstract class StreamStoreContract
{
    /// <summary>A store as a fresh process would open it.</summary>
    protected abstract Task<IChatStreamStore> CreateAsync();

    private static RoomEntry Entry(long offset) => new($"user{offset}", $"text {offset}", 1_700_000_000_000 + offset, offset);

    [Test]
    public async Task A_new_stream_has_an_epoch_offset_zero_and_no_history()
    {
        await using var store = await CreateAsync();

        var state = await store.OpenStreamAsync("~chat", TestTimeouts.Token());

        Assert.That(state.Epoch, Is.Not.Empty);
        Assert.That(state.Offset, Is.Zero);
        Assert.That(state.History, Is.Empty);
    }

    [Test]
    public async Task What_was_appended_and_flushed_is_read_back_with_the_same_epoch_the_last_capacity_entries_oldest_first()
    {
        var ct = TestTimeouts.Token();
        await using var store = await CreateAsync();
        var opened = await store.OpenStreamAsync("lobby", ct);
        for (var i = 1; i <= 5; i++)
        {
            store.Append("lobby", Entry(i), capacity: 3);
        }

        await store.FlushAsync(ct);
        var state = await store.OpenStreamAsync("lobby", ct);

        Assert.That(state.Epoch, Is.EqualTo(opened.Epoch));
        Assert.That(state.Offset, Is.EqualTo(5));
        Assert.That(state.History, Is.EqualTo(new[] { Entry(3), Entry(4), Entry(5) }));
    }

    [Test]
    public async Task Streams_are_kept_apart_each_with_its_own_epoch()
    {
        var ct = TestTimeouts.Token();
        await using var store = await CreateAsync();
        var a = await store.OpenStreamAsync("a", ct);
        var b = await store.OpenStreamAsync("b", ct);
        store.Append("a", Entry(1), 10);
        store.Append("a", Entry(2), 10);
        store.Append("b", Entry(1), 10);

        await store.FlushAsync(ct);
        var readA = await store.OpenStreamAsync("a", ct);
        var readB = await store.OpenStreamAsync("b", ct);

        Assert.That(a.Epoch, Is.Not.EqualTo(b.Epoch));
        Assert.That(readA.History, Is.EqualTo(new[] { Entry(1), Entry(2) }));
        Assert.That(readB.History, Is.EqualTo(new[] { Entry(1) }));
    }

    [Test]
    public async Task With_capacity_zero_the_offset_is_kept_and_no_history()
    {
        var ct = TestTimeouts.Token();
        await using var store = await CreateAsync();
        await store.OpenStreamAsync("quiet", ct);
        store.Append("quiet", Entry(1), 0);
        store.Append("quiet", Entry(2), 0);

        await store.FlushAsync(ct);
        var state = await store.OpenStreamAsync("quiet", ct);

        Assert.That(state.Offset, Is.EqualTo(2));
        Assert.That(state.History, Is.Empty);
    }

    [Test]
    public async Task A_forgotten_stream_starts_over_under_a_new_epoch_and_others_are_untouched()
    {
        var ct = TestTimeouts.Token();
        await using var store = await CreateAsync();
        var gone = await store.OpenStreamAsync("gone", ct);
        var kept = await store.OpenStreamAsync("kept", ct);
        store.Append("gone", Entry(1), 10);
        store.Append("kept", Entry(1), 10);
        await store.FlushAsync(ct);

        store.Forget(["gone"]);
        var listed = await store.ListStreamsAsync(ct);
        var again = await store.OpenStreamAsync("gone", ct);
        var other = await store.OpenStreamAsync("kept", ct);

        Assert.That(listed.Select(s => s.Name), Is.EqualTo(new[] { "kept" }));
        Assert.That(again.Epoch, Is.Not.EqualTo(gone.Epoch));
        Assert.That(again.Offset, Is.Zero);
        Assert.That(again.History, Is.Empty);
        Assert.That(other.Epoch, Is.EqualTo(kept.Epoch));
        Assert.That(other.History, Is.EqualTo(new[] { Entry(1) }));
    }
}

/// <summary>The default store keeps nothing: the chat's memory holds each stream once.</summary>
public sealed class InMemoryStreamStoreTests
{
    [Test]
    public async Task Every_opening_is_a_new_stream_whatever_was_appended()
    {
        var ct = TestTimeouts.Token();
        await using IChatStreamStore store = new InMemoryChatStreamStore();
        var old = await store.OpenStreamAsync("~chat", ct);
        store.Append("~chat", new RoomEntry("a", "b", 1, 1), 10);

        var state = await store.OpenStreamAsync("~chat", ct);

        Assert.That(state.Epoch, Is.Not.EqualTo(old.Epoch));
        Assert.That(state.Offset, Is.Zero);
        Assert.That(state.History, Is.Empty);
        Assert.That(await store.ListStreamsAsync(ct), Is.Empty);
    }
}
