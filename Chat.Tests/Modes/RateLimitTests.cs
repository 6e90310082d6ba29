using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Modes;

[CancelAfter(30_000)]
public sealed class RateLimitTests
{
    [Test]
    public async Task Messages_past_the_burst_get_a_rate_limited_error_and_are_dropped()
    {
        var ct = TestTimeouts.Token();
        var options = new ChatServerOptions { MessagesPerSecond = 0.001, MessageBurst = 3 };
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode(), options);
        var alice = await chat.JoinAsync("alice", ct);

        for (var i = 0; i < 5; i++)
        {
            await alice.SendTextAsync($"m{i}", ct);
        }

        var messages = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            messages.Add((await alice.ReceiveEventAsync("message", ct)).GetProperty("msg").GetString()!);
        }
        var error = await alice.ReceiveEventAsync("error", ct);
        Assert.That(messages, Is.EqualTo(new[] { "m0", "m1", "m2" }));
        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.RateLimited));
    }

    [Test]
    public async Task Persistent_flooding_is_closed_with_1008_and_others_are_unaffected()
    {
        var ct = TestTimeouts.Token();
        var options = new ChatServerOptions { MessagesPerSecond = 0.001, MessageBurst = 2 };
        await using var chat = await ChatFixture.StartAsync(new BroadcastMode(), options);
        var flooder = await chat.ConnectAsync("/websocket", ct);
        var bystander = await chat.ConnectAsync("/websocket", ct);
        await BroadcastModeTests.WaitForMembersAsync(chat, 2, ct);

        for (var i = 0; i < 10 && flooder.State == System.Net.WebSockets.WebSocketState.Open; i++)
        {
            await flooder.SendTextAsync("spam", ct);
        }
        await flooder.Closed.Task.WaitAsync(ct);

        Assert.That((int?)flooder.CloseStatus, Is.EqualTo(1008));
        await bystander.SendTextAsync("calm", ct);
        var seen = new List<string>();
        while (seen.LastOrDefault() != "calm")
        {
            seen.Add(await bystander.ReceiveTextAsync(ct));
        }
        Assert.That(seen.Count(s => s == "spam"), Is.EqualTo(2), "only the burst got through");
    }
}
