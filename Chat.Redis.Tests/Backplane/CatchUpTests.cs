using System.Net.WebSockets;
using Fleck.Chat.Redis.Tests.Support;
using Fleck.Chat.Scaling;
using StackExchange.Redis;

namespace Fleck.Chat.Redis.Tests.Backplane;

/// <summary>A history read returns only once its node has caught up with what the other nodes broadcast before it.</summary>
[CancelAfter(60_000)]
public sealed class CatchUpTests : SharedRedis
{
    /// <summary>A backlog of about a tenth of a second at the reading node: well past a round trip, well within the second a read waits.</summary>
    private const int Count = 50;

    [Test]
    public async Task A_history_read_returns_after_every_broadcast_published_before_it_was_delivered()
    {
        var ct = TestTimeouts.Token();
        var options = new RedisBackplaneOptions { Prefix = ChatCluster.NewPrefix() };
        var senderNode = new RecordingNode();
        var readerNode = new RecordingNode { DeliveryTime = TimeSpan.FromMilliseconds(2) };
        await using var sender = await StartAsync(options, senderNode);
        await using var reader = await StartAsync(options, readerNode);

        for (var i = 0; i < Count; i++)
        {
            sender.Backplane.PublishToAll(System.Text.Encoding.UTF8.GetBytes($"m{i}"), WebSocketMessageType.Text);
        }
        // A round trip on the same connection comes back after Redis has run every publish before it.
        await sender.Redis.GetDatabase().PingAsync();
        await reader.Backplane.GetHistoryAsync(10, ct);

        Assert.That(readerNode.ToAll, Has.Count.EqualTo(Count), "each of them had reached the reading node when the read returned");
    }

    private async Task<Started> StartAsync(RedisBackplaneOptions options, RecordingNode node)
    {
        var redis = await ConnectionMultiplexer.ConnectAsync(RedisConnectionSettings.Parse(Redis.Configuration));
        var backplane = new RedisBackplane(redis, options);
        await ((IChatBackplane)backplane).ConnectAsync(node, CancellationToken.None);
        return new Started(backplane, redis);
    }

    private sealed record Started(RedisBackplane Backplane, ConnectionMultiplexer Redis) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Backplane.DisposeAsync();
            await Redis.DisposeAsync();
        }
    }
}
