using Fleck.Chat.Modes;
using Fleck.Chat.Redis.Tests.Support;
using Fleck.Chat.Tests.Modes.Support;

namespace Fleck.Chat.Redis.Tests.Modes;

/// <summary>
/// Members join a nick-broadcast chat of two nodes while one member sends numbered messages, half
/// of them on the sender's node and half on the other: each must see every message, from the
/// shared history or live, in order, none missing. Recording is a Redis round trip here, and
/// messages reach the other node through pub/sub.
/// </summary>
[CancelAfter(120_000)]
public sealed class JoiningWhileMessagesFlowAcrossNodesTests : SharedRedis
{
    private const int Joiners = 30;

    [Test]
    public async Task Members_joining_on_either_node_while_messages_flow_get_every_one_in_order_from_the_history_then_live()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        var serverOptions = new ChatServerOptions { HistorySize = 10_000, Retain = 10_000, MessagesPerSecond = 0 };
        await using var cluster = await ChatCluster.StartAsync(Redis, new NickBroadcastMode(), 2, serverOptions: serverOptions);
        var sender = await cluster[0].JoinAsync("sender", ct);

        var (sent, transcripts) = await NumberedConversation.RunAsync(sender, "sender", Joiners,
            async (i, token) => ($"joiner{i}", await cluster[i % 2].ConnectAsync($"/websocket/joiner{i}", token)), ct);

        Assert.That(transcripts, Has.Length.EqualTo(Joiners));
        var twice = transcripts.Sum(t => t.AssertSawEveryMessage(sent));
        TestContext.Out.WriteLine($"{sent} messages, {Joiners} joiners; {transcripts.Sum(t => t.History.Count)} from the history, {transcripts.Sum(t => t.Live.Count)} live, {twice} seen twice");
    }
}
