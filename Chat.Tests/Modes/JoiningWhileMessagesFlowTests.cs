using Fleck.Chat.Modes;
using Fleck.Chat.Tests.Modes.Support;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Modes;

/// <summary>
/// Members join a nick-broadcast chat while messages flow: each must see every message, from the
/// history or live, in order, none missing. The history answers as a remote store does (a round
/// trip per append), which is where a message sent before it is recorded slips past a joiner.
/// </summary>
[CancelAfter(120_000)]
public sealed class JoiningWhileMessagesFlowTests
{
    private const int Joiners = 30;

    [Test]
    public async Task Members_joining_while_messages_flow_get_every_one_in_order_from_the_history_then_live()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        // The history holds every message of the run, so each joiner's history starts at 1.
        var options = new ChatServerOptions { HistorySize = 10_000, Retain = 10_000, MessagesPerSecond = 0, Backplane = new AsynchronousHistoryBackplane() };
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode(), options);
        var sender = await chat.JoinAsync("sender", ct);

        var (sent, transcripts) = await NumberedConversation.RunAsync(sender, "sender", Joiners,
            async (i, token) => ($"joiner{i}", await chat.ConnectAsync($"/websocket/joiner{i}", token)), ct);

        Assert.That(transcripts, Has.Length.EqualTo(Joiners));
        var twice = transcripts.Sum(t => t.AssertSawEveryMessage(sent));
        TestContext.Out.WriteLine($"{sent} messages, {Joiners} joiners; {transcripts.Sum(t => t.History.Count)} from the history, {transcripts.Sum(t => t.Live.Count)} live, {twice} seen twice");
    }
}
