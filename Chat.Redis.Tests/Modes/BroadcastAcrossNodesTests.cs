using System.Net.WebSockets;
using Fleck.Chat.Modes;
using Fleck.Chat.Redis.Tests.Support;

namespace Fleck.Chat.Redis.Tests.Modes;

[CancelAfter(60_000)]
public sealed class BroadcastAcrossNodesTests : SharedRedis
{
    [Test]
    public async Task Message_reaches_every_client_on_three_nodes_and_the_sender_exactly_once()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new BroadcastMode(), 3);
        var sender = await cluster[0].ConnectAnonymousAsync(ct);
        var neighbour = await cluster[0].ConnectAnonymousAsync(ct);
        var second = await cluster[1].ConnectAnonymousAsync(ct);
        var third = await cluster[2].ConnectAnonymousAsync(ct);

        await sender.SendTextAsync("hello from node 0", ct);
        foreach (var client in new[] { neighbour, second, third })
        {
            Assert.That(await client.ReceiveTextAsync(ct), Is.EqualTo("hello from node 0"));
        }
        // Markers: Redis delivers in order, so by the time this reply from node 2 reaches node 0, any
        // copy of the sender's own message coming back through Redis would have arrived before it;
        // and node 0's answer to it follows any copy of the reply on its way back to node 2.
        await third.SendTextAsync("reply from node 2", ct);
        var atSender = await sender.ReceiveTextsUntilAsync("reply from node 2", ct);
        await sender.SendTextAsync("answer from node 0", ct);

        Assert.That(atSender, Is.EqualTo(new[] { "hello from node 0", "reply from node 2" }));
        Assert.That(await third.ReceiveTextsUntilAsync("answer from node 0", ct), Is.EqualTo(new[] { "reply from node 2", "answer from node 0" }));
        Assert.That(await second.ReceiveTextsUntilAsync("answer from node 0", ct), Is.EqualTo(new[] { "reply from node 2", "answer from node 0" }));
        Assert.That(await neighbour.ReceiveTextsUntilAsync("answer from node 0", ct), Is.EqualTo(new[] { "reply from node 2", "answer from node 0" }));
    }

    [Test]
    public async Task Messages_from_one_sender_arrive_on_another_node_in_order()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new BroadcastMode(), 2);
        var sender = await cluster[0].ConnectAnonymousAsync(ct);
        var receiver = await cluster[1].ConnectAnonymousAsync(ct);

        var sent = Enumerable.Range(1, 30).Select(i => $"message {i}").ToArray();
        foreach (var text in sent)
        {
            await sender.SendTextAsync(text, ct);
        }

        var received = new List<string>();
        while (received.Count < sent.Length)
        {
            received.Add(await receiver.ReceiveTextAsync(ct));
        }
        Assert.That(received, Is.EqualTo(sent));
    }

    [Test]
    public async Task A_binary_message_arrives_on_the_other_node_as_binary_and_unchanged()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new BroadcastMode(), 2);
        var sender = await cluster[0].ConnectAnonymousAsync(ct);
        await using var receiver = await TypedClient.ConnectAsync(cluster[1].Server.Port, "/websocket", ct);
        while (cluster[1].Server.GetStatistics().Members < 1)
        {
            await Task.Delay(10, ct);
        }
        // Not UTF-8, with a zero and a newline: a trip through text, or a cut at a NUL, would show.
        byte[] data = [0x00, 0xFF, 0xFE, 0xC3, 0x28, 0x0A, 0x80, .. Enumerable.Range(0, 300).Select(i => (byte)i)];

        await sender.SendBinaryAsync(data, ct);
        await sender.SendTextAsync("after the binary", ct);

        var first = await receiver.ReceiveAsync(ct);
        Assert.That(first.Type, Is.EqualTo(WebSocketMessageType.Binary), "the binary message comes first, as binary");
        Assert.That(first.Data, Is.EqualTo(data));
        var second = await receiver.ReceiveAsync(ct);
        Assert.That(second.Type, Is.EqualTo(WebSocketMessageType.Text));
        Assert.That(System.Text.Encoding.UTF8.GetString(second.Data), Is.EqualTo("after the binary"));
    }

    [Test]
    public async Task Nodes_with_different_prefixes_do_not_share_a_chat()
    {
        var ct = TestTimeouts.Token();
        await using var red = await ChatCluster.StartAsync(Redis, new BroadcastMode(), 1);
        await using var blue = await ChatCluster.StartAsync(Redis, new BroadcastMode(), 1);
        var inRed = await red[0].ConnectAnonymousAsync(ct);
        var inBlue = await blue[0].ConnectAnonymousAsync(ct);

        await inRed.SendTextAsync("red only", ct);
        await inBlue.SendTextAsync("blue only", ct);

        Assert.That(await inRed.ReceiveTextAsync(ct), Is.EqualTo("red only"));
        Assert.That(await inBlue.ReceiveTextAsync(ct), Is.EqualTo("blue only"));
        await red.AddNodeAsync();
        await blue.AddNodeAsync();
        var secondRed = await red[1].ConnectAnonymousAsync(ct);
        var secondBlue = await blue[1].ConnectAnonymousAsync(ct);
        await inRed.SendTextAsync("red again", ct);

        // The new red node may still see the first red message if its publish reached Redis late.
        var atSecondRed = await secondRed.ReceiveTextsUntilAsync("red again", ct);
        // The marker for blue crosses Redis after both red messages: had blue shared red's channel,
        // they would reach inBlue before it.
        await secondBlue.SendTextAsync("blue marker", ct);

        Assert.That(atSecondRed, Is.SubsetOf(new[] { "red only", "red again" }));
        Assert.That(await inBlue.ReceiveTextAsync(ct), Is.EqualTo("blue marker"));
    }
}
