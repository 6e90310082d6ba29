using System.Net.WebSockets;
using Fleck.Chat.Modes;
using Fleck.Chat.Scaling;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Modes;

[CancelAfter(30_000)]
public sealed class BroadcastModeTests
{
    [Test]
    public async Task Text_from_any_client_reaches_every_client_including_the_sender_unchanged()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new BroadcastMode());
        var a = await chat.ConnectAsync("/websocket", ct);
        var b = await chat.ConnectAsync("/websocket", ct);
        await chat.WaitForMembersAsync(2, ct);

        await a.SendTextAsync("hello {\"not\":\"json\"} 你好", ct);

        Assert.That(await a.ReceiveTextAsync(ct), Is.EqualTo("hello {\"not\":\"json\"} 你好"));
        Assert.That(await b.ReceiveTextAsync(ct), Is.EqualTo("hello {\"not\":\"json\"} 你好"));
    }

    [Test]
    public async Task A_client_that_disconnects_is_dropped_and_the_others_keep_chatting()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new BroadcastMode());
        var a = await chat.ConnectAsync("/websocket", ct);
        var gone = await chat.ConnectAsync("/websocket", ct);
        await chat.WaitForMembersAsync(2, ct);

        gone.Abort();
        await chat.WaitForMembersAsync(1, ct);
        await a.SendTextAsync("still here", ct);

        Assert.That(await a.ReceiveTextAsync(ct), Is.EqualTo("still here"));
    }

    [Test]
    public async Task Two_servers_in_one_process_do_not_see_each_other()
    {
        var ct = TestTimeouts.Token();
        await using var one = await ChatFixture.StartAsync(new BroadcastMode());
        await using var two = await ChatFixture.StartAsync(new BroadcastMode());
        var a = await one.ConnectAsync("/websocket", ct);
        var b = await two.ConnectAsync("/websocket", ct);
        await one.WaitForMembersAsync(1, ct);
        await two.WaitForMembersAsync(1, ct);

        await a.SendTextAsync("only one", ct);
        await b.SendTextAsync("only two", ct);

        Assert.That(await a.ReceiveTextAsync(ct), Is.EqualTo("only one"));
        Assert.That(await b.ReceiveTextAsync(ct), Is.EqualTo("only two"));
    }

    [Test]
    public async Task Binary_reaches_every_client_as_binary_byte_for_byte_on_this_node_and_the_others()
    {
        var ct = TestTimeouts.Token();
        var backplane = new InMemoryBackplane();
        await using var one = await ChatFixture.StartAsync(new BroadcastMode(), new ChatServerOptions { Backplane = backplane });
        await using var two = await ChatFixture.StartAsync(new BroadcastMode(), new ChatServerOptions { Backplane = backplane.CreateNode() });
        await using var sender = await TypedClient.ConnectAsync(one.Server.Port, "/websocket", ct);
        await using var neighbour = await TypedClient.ConnectAsync(one.Server.Port, "/websocket", ct);
        await using var elsewhere = await TypedClient.ConnectAsync(two.Server.Port, "/websocket", ct);
        await one.WaitForMembersAsync(2, ct);
        await two.WaitForMembersAsync(1, ct);
        // Not UTF-8, and with bytes a text frame could not carry: any conversion would show.
        byte[] data = [0x00, 0xFF, 0xFE, 0xC3, 0x28, 0x0A, 0x80];

        await sender.SendBinaryAsync(data, ct);
        await sender.SendTextAsync("after", ct);

        foreach (var client in new[] { sender, neighbour, elsewhere })
        {
            var (type, bytes) = await client.ReceiveAsync(ct);
            Assert.That(type, Is.EqualTo(WebSocketMessageType.Binary), "the binary message comes first, as binary");
            Assert.That(bytes, Is.EqualTo(data));
            Assert.That((await client.ReceiveAsync(ct)).Type, Is.EqualTo(WebSocketMessageType.Text));
        }
    }
}
