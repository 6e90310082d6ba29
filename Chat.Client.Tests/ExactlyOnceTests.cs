using System.Globalization;
using Fleck.Chat.Client.Tests.Support;

namespace Fleck.Chat.Client.Tests;

/// <summary>
/// The whole promise at once: through a network that drops every connection every 100–500 ms, two
/// clients exchange 1,000 messages each way in a room; every send completes, and each client reads
/// every message exactly once, in order.
/// </summary>
[CancelAfter(180_000)]
public sealed class ExactlyOnceTests
{
    private const int PerSender = 1000;

    [Test]
    public async Task Two_clients_behind_a_flapping_network_each_read_every_message_once_in_order()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(150));
        await using var host = await ClientHost.StartAsync("rooms", ct);
        await using var proxy = CutProxy.Start(host.WebSocketPort);
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", proxy.Port), ct);
        await using var ben = await EventLog.ConnectAsync(ClientHost.As("ben", proxy.Port), ct);
        await anna.Client.JoinAsync("lobby", ct);
        await ben.Client.JoinAsync("lobby", ct);

        using var stopCutting = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var chaos = proxy.CutRandomlyAsync(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), stopCutting.Token);
        var sends = new[] { SendAllAsync(anna, "anna", ct), SendAllAsync(ben, "ben", ct) };
        var annaReads = ReadAllAsync(anna, ct);
        var benReads = ReadAllAsync(ben, ct);
        var results = (await Task.WhenAll(sends)).SelectMany(r => r).ToList();
        var (annaSaw, benSaw) = (await annaReads, await benReads);
        await stopCutting.CancelAsync();
        await chaos;

        Assert.Multiple(() =>
        {
            Assert.That(proxy.Cuts, Is.GreaterThan(0));
            Assert.That(results.Select(r => r.Offset).Distinct().Count(), Is.EqualTo(2 * PerSender), "every send numbered once");
            foreach (var saw in new[] { annaSaw, benSaw })
            {
                Assert.That(saw.Select(m => m.Offset), Is.EqualTo(Enumerable.Range(1, 2 * PerSender).Select(i => (long)i)));
                Assert.That(saw.Where(m => m.Name == "anna").Select(m => m.Text), Is.EqualTo(Texts("anna")));
                Assert.That(saw.Where(m => m.Name == "ben").Select(m => m.Text), Is.EqualTo(Texts("ben")));
            }
        });
    }

    private static IEnumerable<string> Texts(string sender) =>
        Enumerable.Range(1, PerSender).Select(i => sender + "-" + i.ToString("D4", CultureInfo.InvariantCulture));

    /// <summary>One send after another, each awaited, so the exchange lasts through many of the proxy's cuts.</summary>
    private static async Task<List<SendResult>> SendAllAsync(EventLog client, string sender, CancellationToken ct)
    {
        var results = new List<SendResult>();
        foreach (var text in Texts(sender))
        {
            results.Add(await client.Client.SendToRoomAsync("lobby", text, ct));
        }
        return results;
    }

    /// <summary>The room's messages one client reads until it has both senders' last ones (or the test times out).</summary>
    private static async Task<List<ChatMessage>> ReadAllAsync(EventLog client, CancellationToken ct)
    {
        var saw = new List<ChatMessage>();
        var lastOfEach = 0;
        while (lastOfEach < 2)
        {
            var e = await client.WaitForAsync<ChatEvent>(e => EventLog.MessageOf(e) is { Room: "lobby" }, ct);
            var message = EventLog.MessageOf(e)!.Value.Message;
            saw.Add(message);
            if (message.Text.EndsWith("-" + PerSender.ToString("D4", CultureInfo.InvariantCulture), StringComparison.Ordinal))
            {
                lastOfEach++;
            }
        }
        return saw;
    }
}
