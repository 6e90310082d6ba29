namespace Fleck.Chat.Tests.Streams;

/// <summary>The steps of the bounded-stream tests that every store must pass alike, against a host on <c>port</c>.</summary>
internal static class StreamScenarios
{
    /// <summary>With <c>--retain-bytes 100</c>: four messages of 40 bytes, of which the last two are kept.</summary>
    public static async Task RetainBytesDropsTheOldestAsync(int port, CancellationToken ct)
    {
        await using var alice = await TypedClient.ConnectAsync(port, "/websocket/alice", ct);
        var epoch = (await alice.JoinedAsync("lobby", ct)).Epoch();
        for (var i = 1; i <= 4; i++)
        {
            await alice.SayAndGetOffsetAsync("lobby", new string((char)('a' + i), 40), ct);
        }

        await using var bob = await TypedClient.ConnectAsync(port, "/websocket/bob", ct);
        var (_, kept, recovered) = await bob.ResumeAsync("lobby", 2, epoch, ct);
        Assert.That(kept, Is.EqualTo(new[] { 3L, 4L }), "two of 40 bytes fit in 100");
        Assert.That(recovered.GetProperty("recovered").GetBoolean(), Is.True);
        await using var carol = await TypedClient.ConnectAsync(port, "/websocket/carol", ct);
        var (_, _, notRecovered) = await carol.ResumeAsync("lobby", 1, epoch, ct);
        Assert.That(notRecovered.GetProperty("recovered").GetBoolean(), Is.False);
    }

    /// <summary>A newcomer resuming <paramref name="room"/> from its start finds its one message still kept under <paramref name="epoch"/>.</summary>
    public static async Task AssertStillKeptAsync(int port, string room, string epoch, CancellationToken ct)
    {
        await using var bob = await TypedClient.ConnectAsync(port, "/websocket/bob", ct);
        var (joined, kept, recovered) = await bob.ResumeAsync(room, 0, epoch, ct);
        Assert.That(joined.Epoch(), Is.EqualTo(epoch));
        Assert.That(kept, Is.EqualTo(new[] { 1L }));
        Assert.That(recovered.GetProperty("recovered").GetBoolean(), Is.True);
    }

    /// <summary>Resuming a forgotten room from (<paramref name="since"/>, <paramref name="epoch"/>): offset 0 under a new epoch, recovered false, and the next message is offset 1.</summary>
    public static async Task AssertStartsOverAsync(TypedClient client, string room, long since, string epoch, CancellationToken ct)
    {
        var (joined, history, recovered) = await client.ResumeAsync(room, since, epoch, ct);
        Assert.That(joined.Offset(), Is.Zero);
        Assert.That(joined.Epoch(), Is.Not.EqualTo(epoch));
        Assert.That(history, Is.Empty);
        Assert.That(recovered.GetProperty("recovered").GetBoolean(), Is.False);
        Assert.That(await client.SayAndGetOffsetAsync(room, "again", ct), Is.EqualTo(1));
    }
}
