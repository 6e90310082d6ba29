using System.Globalization;
using Fleck.Chat.Client.Tests.Support;

namespace Fleck.Chat.Client.Tests;

/// <summary>Older history on demand (SPEC Part 3, "Older history on demand").</summary>
[CancelAfter(60_000)]
public sealed class HistoryPageTests
{
    [Test]
    public async Task Pages_of_a_room_go_back_from_the_latest_oldest_first()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("rooms", ct, "--history", "5");
        await using var ben = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/ben", ct);
        await ben.ReceiveEventAsync("users", ct);
        await ben.JoinedAsync("lobby", ct);
        for (var i = 1; i <= 30; i++)
        {
            await ben.SayAndGetOffsetAsync("lobby", "m" + i.ToString(CultureInfo.InvariantCulture), ct);
        }
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", host.WebSocketPort), ct);
        await anna.Client.JoinAsync("lobby", ct);

        var latest = anna.Client.GetHistoryAsync("lobby", limit: 10, cancellationToken: ct);
        var older = anna.Client.GetHistoryAsync("lobby", before: 21, limit: 10, cancellationToken: ct);
        var oldest = anna.Client.GetHistoryAsync("lobby", before: 3, cancellationToken: ct);

        Assert.Multiple(async () =>
        {
            Assert.That((await latest).Messages.Select(m => m.Offset), Is.EqualTo(Enumerable.Range(21, 10).Select(i => (long)i)));
            Assert.That((await latest).More, Is.True);
            Assert.That((await older).Messages.Select(m => m.Text), Is.EqualTo(Enumerable.Range(11, 10).Select(i => "m" + i.ToString(CultureInfo.InvariantCulture))));
            Assert.That((await oldest).Messages.Select(m => m.Offset), Is.EqualTo(new long[] { 1, 2 }));
            Assert.That((await oldest).More, Is.False);
        });
    }

    [Test]
    public async Task A_page_of_nick_broadcasts_chat_needs_no_room()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("nick-broadcast", ct);
        await using var ben = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/ben", ct);
        await ben.SendJsonAsync(new { msg = "one" }, ct);
        await ben.SendJsonAsync(new { msg = "two" }, ct);
        await ben.ReceiveUntilMessageAsync("two", ct);
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", host.WebSocketPort), ct);

        var page = await anna.Client.GetHistoryAsync(cancellationToken: ct);

        Assert.That(page.Messages.Select(m => (m.Name, m.Text, m.Offset)), Is.EqualTo(new[] { ("ben", "one", 1L), ("ben", "two", 2L) }));
    }

    [Test]
    public async Task A_page_of_a_room_not_joined_fails_with_not_in_room()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("rooms", ct);
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", host.WebSocketPort), ct);

        var error = await Assert.ThrowsAsync<ChatErrorException>(() => anna.Client.GetHistoryAsync("elsewhere", cancellationToken: ct));

        Assert.That(error!.Code, Is.EqualTo("not_in_room"));
    }
}
