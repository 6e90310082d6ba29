using System.Net;
using Fleck.Chat.Tests.Identity;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Streams;

/// <summary>
/// SPEC Part 3 §"Older history on demand" against the host process, in memory and with
/// <c>--store</c>: the <c>history</c> command's <c>page</c> and <c>GET /api/history</c>.
/// </summary>
[CancelAfter(90_000)]
[Parallelizable(ParallelScope.Self)]
public sealed class HistoryPagesHostTests
{
    private const string ApiKey = "pages-test-key-2f7d";

    [TestCase("memory")]
    [TestCase("sqlite")]
    public async Task A_page_holds_the_newest_kept_messages_below_before_oldest_first_and_tells_whether_older_ones_are_kept(string store)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var host = await StreamHost.StartAsync(store, "nick-broadcast", ct);
        await using var alice = await TypedClient.ConnectAsync(host.Port, "/websocket/alice", ct);
        await alice.ReceiveEventAsync("users", ct);
        for (var i = 1; i <= 5; i++)
        {
            await alice.SayAsync("m" + i, ct);
        }

        var latest = await alice.PageAsync(new { }, ct);
        var newestTwo = await alice.PageAsync(new { limit = 2 }, ct);
        var beforeFour = await alice.PageAsync(new { before = 4, limit = 2 }, ct);
        var oldest = await alice.PageAsync(new { before = 2, limit = 10 }, ct);
        var nothingOlder = await alice.PageAsync(new { before = 1 }, ct);
        var first = latest.GetProperty("messages")[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(latest.Offsets(), Is.EqualTo(new long[] { 1, 2, 3, 4, 5 }));
            Assert.That(latest.More(), Is.False);
            Assert.That(latest.Str("name"), Is.EqualTo("server"));
            Assert.That(latest.Str("msg"), Is.Empty);
            Assert.That(latest.TryGetProperty("room", out _), Is.False);
            Assert.That(first.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "name", "msg", "ts", "offset" }));
            Assert.That(first.Str("name"), Is.EqualTo("alice"));
            Assert.That(first.Str("msg"), Is.EqualTo("m1"));
            Assert.That(newestTwo.Offsets(), Is.EqualTo(new long[] { 4, 5 }));
            Assert.That(newestTwo.More(), Is.True);
            Assert.That(beforeFour.Offsets(), Is.EqualTo(new long[] { 2, 3 }));
            Assert.That(beforeFour.More(), Is.True);
            Assert.That(oldest.Offsets(), Is.EqualTo(new long[] { 1 }));
            Assert.That(oldest.More(), Is.False);
            Assert.That(nothingOlder.Offsets(), Is.Empty);
            Assert.That(nothingOlder.More(), Is.False);
        }
    }

    [TestCase("memory")]
    [TestCase("sqlite")]
    public async Task A_page_covers_what_the_stream_keeps_and_more_is_false_at_its_oldest_kept_message(string store)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var host = await StreamHost.StartAsync(store, "nick-broadcast", ct, "--history", "2", "--retain", "3");
        await using var alice = await TypedClient.ConnectAsync(host.Port, "/websocket/alice", ct);
        await alice.ReceiveEventAsync("users", ct);
        for (var i = 1; i <= 5; i++)
        {
            await alice.SayAsync("m" + i, ct);
        }
        var all = await alice.PageAsync(new { limit = 100 }, ct);
        var older = await alice.PageAsync(new { before = 4, limit = 1 }, ct);
        Assert.That(all.Offsets(), Is.EqualTo(new long[] { 3, 4, 5 }));
        Assert.That(all.More(), Is.False);
        Assert.That(older.Offsets(), Is.EqualTo(new long[] { 3 }));
        Assert.That(older.More(), Is.False);
    }

    [TestCase("memory")]
    [TestCase("sqlite")]
    public async Task A_room_page_is_for_the_rooms_members_and_carries_the_room(string store)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var host = await StreamHost.StartAsync(store, "rooms", ct);
        await using var alice = await TypedClient.ConnectAsync(host.Port, "/websocket/alice", ct);
        await using var bob = await TypedClient.ConnectAsync(host.Port, "/websocket/bob", ct);
        await alice.JoinedAsync("lobby", ct);
        await alice.SayAndGetOffsetAsync("lobby", "one", ct);
        await alice.SayAndGetOffsetAsync("lobby", "two", ct);
        await alice.SayAndGetOffsetAsync("lobby", "three", ct);

        var page = await alice.PageAsync(new { room = "Lobby", limit = 2 }, ct);
        var outsider = await bob.ErrorForAsync(StreamCommandsClient.HistoryJson(new { room = "lobby" }), ct);
        var badName = await bob.ErrorForAsync(StreamCommandsClient.HistoryJson(new { room = "no such room!" }), ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Str("room"), Is.EqualTo("lobby"));
            Assert.That(page.Offsets(), Is.EqualTo(new long[] { 2, 3 }));
            Assert.That(page.More(), Is.True);
            Assert.That(outsider.Str("code"), Is.EqualTo("not_in_room"));
            Assert.That(outsider.Str("room"), Is.EqualTo("lobby"));
            Assert.That(badName.Str("code"), Is.EqualTo("invalid_room"));
        }
    }

    [TestCase("memory")]
    [TestCase("sqlite")]
    public async Task Bad_before_or_limit_is_an_invalid_request_and_the_connection_stays_open(string store)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var host = await StreamHost.StartAsync(store, "nick-broadcast", ct);
        await using var alice = await TypedClient.ConnectAsync(host.Port, "/websocket/alice", ct);
        await alice.ReceiveEventAsync("users", ct);
        string[] bad =
        [
            """{"type":"history","before":0}""",
            """{"type":"history","before":-3}""",
            """{"type":"history","before":"5"}""",
            """{"type":"history","before":2.5}""",
            """{"type":"history","limit":0}""",
            """{"type":"history","limit":101}""",
            """{"type":"history","limit":"ten"}""",
        ];
        var codes = new List<string?>();
        foreach (var command in bad)
        {
            codes.Add((await alice.ErrorForAsync(command, ct)).Str("code"));
        }
        Assert.That(codes, Is.All.EqualTo("invalid_request"));
        Assert.That(await alice.SayAsync("still here", ct), Is.EqualTo(1));
    }

    [Test]
    public async Task History_in_private_mode_without_identity_is_an_invalid_request_and_with_identity_reads_the_inbox()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using (var plain = await StreamHost.StartAsync("memory", "private", ct))
        {
            await using var alice = await TypedClient.ConnectAsync(plain.Port, "/websocket/alice", ct);
            await alice.ReceiveEventAsync("users", ct);
            var error = await alice.ErrorForAsync("""{"type":"history"}""", ct);
            Assert.That(error.Str("code"), Is.EqualTo("invalid_request"));
        }
        await using var signed = await StreamHost.StartAsync("memory", "private", ct, "--jwt-secret", Tokens.Secret);
        await using var bob = await TypedClient.ConnectSignedInAsync(signed.Port, Tokens.For("bob"), ct);
        var page = await bob.PageAsync(new { limit = 10 }, ct);
        var bad = await bob.ErrorForAsync("""{"type":"history","limit":500}""", ct);
        Assert.That(page.Offsets(), Is.Empty);
        Assert.That(page.More(), Is.False);
        Assert.That(bad.Str("code"), Is.EqualTo("invalid_request"));
    }

    [TestCase("memory")]
    [TestCase("sqlite")]
    public async Task The_api_pages_a_room_like_the_command_and_a_room_that_does_not_exist_is_empty_and_not_created(string store)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var host = await StreamHost.StartAsync(store, "rooms", ct, "--api-key", ApiKey);
        using var api = new ApiClient(host.Host.HttpPort, ApiKey);
        await using var alice = await TypedClient.ConnectAsync(host.Port, "/websocket/alice", ct);
        await alice.JoinedAsync("lobby", ct);
        await alice.SayAndGetOffsetAsync("lobby", "one", ct);
        await alice.SayAndGetOffsetAsync("lobby", "two", ct);
        var command = await alice.PageAsync(new { room = "lobby", before = 3, limit = 1 }, ct);
        var streams = await host.StreamsAsync(ct);

        var page = await api.GetAsync("/api/history?room=lobby&before=3&limit=1", ct);
        var ghost = await api.GetAsync("/api/history?room=ghost", ct);
        var noRoom = await api.GetAsync("/api/history", ct);
        var badLimit = await api.GetAsync("/api/history?room=lobby&limit=0", ct);
        var badBefore = await api.GetAsync("/api/history?room=lobby&before=x", ct);
        using var anonymous = new ApiClient(host.Host.HttpPort, null);
        var unauthorized = await anonymous.GetAsync("/api/history?room=lobby", ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(page.Json!.Value.Str("type"), Is.EqualTo("page"));
            Assert.That(page.Json!.Value.Str("room"), Is.EqualTo("lobby"));
            Assert.That(page.Json!.Value.GetProperty("messages").GetRawText(), Is.EqualTo(command.GetProperty("messages").GetRawText()));
            Assert.That(page.Json!.Value.More(), Is.True);
            Assert.That(ghost.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ghost.Json!.Value.Offsets(), Is.Empty);
            Assert.That(ghost.Json!.Value.More(), Is.False);
            Assert.That(noRoom.Status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(noRoom.Error, Is.EqualTo("missing_field"));
            Assert.That(badLimit.Status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(badLimit.Error, Is.EqualTo("invalid_request"));
            Assert.That(badBefore.Error, Is.EqualTo("invalid_request"));
            Assert.That(unauthorized.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        }
        Assert.That(await host.StreamsAsync(ct), Is.EqualTo(streams), "reading a page of a room that does not exist creates nothing");
        Assert.That(host.RowsOf("ghost"), Is.Zero);
    }

    [Test]
    public async Task The_api_pages_nick_broadcasts_chat_without_a_room()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var host = await StreamHost.StartAsync("memory", "nick-broadcast", ct, "--api-key", ApiKey);
        using var api = new ApiClient(host.Host.HttpPort, ApiKey);
        await using var alice = await TypedClient.ConnectAsync(host.Port, "/websocket/alice", ct);
        await alice.ReceiveEventAsync("users", ct);
        await alice.SayAsync("one", ct);
        await alice.SayAsync("two", ct);
        var page = await api.GetAsync("/api/history?limit=1", ct);
        Assert.That(page.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page.Json!.Value.Offsets(), Is.EqualTo(new long[] { 2 }));
        Assert.That(page.Json!.Value.More(), Is.True);
        Assert.That(page.Json!.Value.TryGetProperty("room", out _), Is.False);
        Assert.That(page.Json!.Value.GetProperty("messages")[0].Str("msg"), Is.EqualTo("two"));
    }
}
