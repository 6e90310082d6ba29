using System.Globalization;
using Fleck.Chat.Client.Tests.Support;

namespace Fleck.Chat.Client.Tests;

/// <summary>
/// Reconnecting after the network drops: the client resumes each stream by offset and epoch and yields
/// every message exactly once, in order. The sender is on a direct connection, so these hold without acks.
/// </summary>
[CancelAfter(120_000)]
public sealed class ResumeTests
{
    private const int Messages = 300;

    // The sender sends a batch at a time; the receiver's connection is cut halfway through reading each,
    // so every cut hits a connection made after the previous cut, with messages still on their way.
    private const int Batch = 60;

    [Test]
    public async Task Nick_broadcast_resumes_after_cuts_with_every_message_once_in_order()
    {
        var ct = TestTimeouts.Token(TestTimeouts.Recovery * 3);
        await using var host = await ClientHost.StartAsync("nick-broadcast", ct);
        await using var proxy = CutProxy.Start(host.WebSocketPort);
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", proxy.Port), ct);
        await using var ben = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/ben", ct);
        await ben.ReceiveEventAsync("users", ct);

        var received = await SendAndReadCuttingAsync(text => ben.SendJsonAsync(new { msg = text }, ct), anna, proxy, room: null, ct);

        AssertEveryMessageOnce(received, anna);
    }

    [Test]
    public async Task A_room_is_rejoined_and_resumed_after_cuts_with_every_message_once_in_order()
    {
        var ct = TestTimeouts.Token(TestTimeouts.Recovery * 3);
        await using var host = await ClientHost.StartAsync("rooms", ct);
        await using var proxy = CutProxy.Start(host.WebSocketPort);
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", proxy.Port), ct);
        await anna.Client.JoinAsync("lobby", ct);
        await using var ben = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/ben", ct);
        await ben.ReceiveEventAsync("users", ct);
        await ben.JoinedAsync("lobby", ct);

        var received = await SendAndReadCuttingAsync(text => ben.SayAsync("lobby", text, ct), anna, proxy, "lobby", ct);

        Assert.That(anna.Seen.OfType<JoinedEvent>().Count(), Is.EqualTo(1 + (Messages / Batch)), "the room was joined again after each cut");
        AssertEveryMessageOnce(received, anna);
    }

    [Test]
    public async Task A_stream_that_started_over_is_reported_as_a_gap()
    {
        var ct = TestTimeouts.Token(TestTimeouts.Recovery * 2);
        var port = LoopbackPorts.Next().ToString(CultureInfo.InvariantCulture);
        string[] args = ["--mode", "nick-broadcast", "--host", "127.0.0.1", "--port", port, "--http-port", "0", "--rate", "0"];
        var host = await HostProcess.StartReadyAsync(ct, args);
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", int.Parse(port, CultureInfo.InvariantCulture)), ct);
        await using var ben = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/ben", ct);
        await ben.SendJsonAsync(new { msg = "before the restart" }, ct);
        await anna.WaitForAsync<MessageEvent>(ct);

        // A restart without --store loses the in-memory stream: it comes back under a new epoch.
        await host.DisposeAsync();
        await using var again = await HostProcess.StartReadyAsync(ct, args);
        var gap = await anna.WaitForAsync<GapEvent>(ct);
        await using var carol = await TypedClient.ConnectAsync(again.WebSocketPort, "/websocket/carol", ct);
        await carol.ReceiveEventAsync("users", ct);
        await carol.SendJsonAsync(new { msg = "after the restart" }, ct);
        var after = await anna.WaitForAsync<MessageEvent>(ct);

        Assert.Multiple(() =>
        {
            Assert.That(gap.Room, Is.Null);
            Assert.That(after.Message.Text, Is.EqualTo("after the restart"));
            Assert.That(after.Message.Offset, Is.EqualTo(1), "the new epoch's first message is yielded although its offset is not new");
            Assert.That(anna.Seen.OfType<GapEvent>().Count(), Is.EqualTo(1), "one gap for the epoch change and its recovered:false");
        });
    }

    private static string Text(int i) => "m" + i.ToString("D4", CultureInfo.InvariantCulture);

    private static async Task<List<ChatMessage>> SendAndReadCuttingAsync(Func<string, Task> send, EventLog reader, CutProxy proxy, string? room, CancellationToken ct)
    {
        var received = new List<ChatMessage>();
        for (var first = 1; first <= Messages; first += Batch)
        {
            for (var i = first; i < first + Batch; i++)
            {
                await send(Text(i));
            }
            while (received.Count < first + Batch - 1)
            {
                var e = await reader.WaitForAsync<ChatEvent>(e => EventLog.MessageOf(e) is { } m && m.Room == room && m.Message.Text.StartsWith('m'), ct);
                received.Add(EventLog.MessageOf(e)!.Value.Message);
                if (received.Count == first + (Batch / 2))
                {
                    proxy.CutAll();
                }
            }
        }
        // A marker after the last cut: the client's events from that cut are in before it.
        await send("end");
        await reader.WaitForAsync<ChatEvent>(e => EventLog.MessageOf(e) is { } m && m.Message.Text == "end", ct);
        return received;
    }

    private static void AssertEveryMessageOnce(List<ChatMessage> received, EventLog reader)
    {
        Assert.Multiple(() =>
        {
            Assert.That(received.Select(m => m.Text), Is.EqualTo(Enumerable.Range(1, Messages).Select(Text)));
            Assert.That(received.Select(m => m.Offset), Is.EqualTo(Enumerable.Range(1, Messages).Select(i => (long)i)));
            Assert.That(reader.Seen.OfType<StateChangedEvent>().Count(e => e.State == ChatClientState.Reconnecting), Is.EqualTo(Messages / Batch));
            Assert.That(reader.Seen.OfType<GapEvent>(), Is.Empty);
        });
    }
}
