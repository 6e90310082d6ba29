using Fleck.Chat.Modes;
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
}
