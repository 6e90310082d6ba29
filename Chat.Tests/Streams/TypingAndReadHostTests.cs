using System.Text.Json;
using Fleck.Chat.Tests.Identity;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Streams;

/// <summary>
/// SPEC Part 3 §"Typing and read state" against the host process, in memory and with
/// <c>--store</c>: only <c>v=3</c> connections get <c>typing</c> and <c>read</c>, typing is throttled
/// per user and scope and not counted by the rate limit, and read markers only move forward, are
/// capped, reach the user's other devices and are kept with the stream.
/// </summary>
[CancelAfter(90_000)]
[Parallelizable(ParallelScope.Self)]
public sealed class TypingAndReadHostTests
{
    private static async Task<(TypedClient Client, JsonElement Users)> ConnectAsync(int port, string path, CancellationToken ct)
    {
        var client = await TypedClient.ConnectAsync(port, path, ct);
        return (client, await client.ReceiveEventAsync("users", ct));
    }

    [TestCase("memory")]
    [TestCase("sqlite")]
    public async Task Typing_reaches_the_others_v3_connections_but_neither_plain_ones_nor_the_senders_own(string store)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var host = await StreamHost.StartAsync(store, "nick-broadcast", ct, "--jwt-secret", Tokens.Secret);
        var (alice, _) = await StreamCommandsClient.SignInV3Async(host.Port, "alice", ct);
        await using var _a = alice;
        var (aliceOther, _) = await StreamCommandsClient.SignInV3Async(host.Port, "alice", ct);
        await using var _o = aliceOther;
        var (bob, _) = await StreamCommandsClient.SignInV3Async(host.Port, "bob", ct);
        await using var _b = bob;
        var (carol, _) = await StreamCommandsClient.SignInV3Async(host.Port, "carol", ct, v3: false);
        await using var _c = carol;

        await alice.SendJsonAsync(new { type = "typing" }, ct);
        var typing = await bob.ReceiveEventAsync("typing", ct);
        await alice.SendJsonAsync(new { msg = "marker" }, ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(typing.Str("user"), Is.EqualTo("alice"));
            Assert.That(typing.Str("name"), Is.EqualTo("server"));
            Assert.That(typing.Str("msg"), Is.Empty);
            Assert.That(typing.TryGetProperty("room", out _), Is.False);
            Assert.That(await carol.TypesUntilAsync("marker", ct), Does.Not.Contain("typing"), "a connection without v=3 never sees typing");
            Assert.That(await aliceOther.TypesUntilAsync("marker", ct), Does.Not.Contain("typing"), "nor do the sender's own connections");
            Assert.That(await alice.TypesUntilAsync("marker", ct), Does.Not.Contain("typing"));
        }
    }

    [TestCase("memory")]
    [TestCase("sqlite")]
    public async Task Two_typings_within_two_seconds_forward_one_and_neither_counts_against_the_rate_limit(string store)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        using var folder = new TemporaryFolder("fleck-typing-");
        string[] storeArgs = store == "sqlite" ? ["--store", folder.File("chat.db")] : [];
        await using var host = await HostProcess.StartReadyAsync(ct, [.. HostProcess.OnLoopback("nick-broadcast"), "--rate", "1", "--burst", "1", .. storeArgs]);
        var (alice, _) = await ConnectAsync(host.WebSocketPort, "/websocket/alice?v=3", ct);
        await using var _a = alice;
        var (bob, _) = await ConnectAsync(host.WebSocketPort, "/websocket/bob?v=3", ct);
        await using var _b = bob;

        for (var i = 0; i < 5; i++)
        {
            await alice.SendJsonAsync(new { type = "typing" }, ct);
        }
        await alice.SendJsonAsync(new { msg = "marker" }, ct);
        var atBob = await bob.TypesUntilAsync("marker", ct);
        var atAlice = await alice.TypesUntilAsync("marker", ct);
        Assert.That(atBob.Count(t => t == "typing"), Is.EqualTo(1), string.Join(",", atBob));
        Assert.That(atAlice, Does.Not.Contain("error"), "typing does not use up the message rate");
        using var http = new HttpClient();
        var scrape = await PrometheusScrape.GetAsync(http, $"http://127.0.0.1:{host.HttpPort}/metrics", ct);
        Assert.That(scrape.Value("fleck_chat_typing_dropped_total"), Is.EqualTo(4));
    }

    [TestCase("memory")]
    [TestCase("sqlite")]
    public async Task A_rooms_typing_goes_to_its_v3_members_with_the_room_and_one_for_a_room_not_joined_is_refused(string store)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var host = await StreamHost.StartAsync(store, "rooms", ct);
        await using var alice = await TypedClient.ConnectAsync(host.Port, "/websocket/alice?v=3", ct);
        await using var bob = await TypedClient.ConnectAsync(host.Port, "/websocket/bob?v=3", ct);
        await using var carol = await TypedClient.ConnectAsync(host.Port, "/websocket/carol?v=3", ct);
        await alice.JoinedAsync("lobby", ct);
        await bob.JoinedAsync("lobby", ct);
        await carol.JoinedAsync("other", ct);

        await alice.SendJsonAsync(new { type = "typing", room = "lobby" }, ct);
        var typing = await bob.ReceiveEventAsync("typing", ct);
        var refused = await alice.ErrorForAsync("""{"type":"typing","room":"other"}""", ct);
        await alice.SayAndGetOffsetAsync("lobby", "marker", ct);
        await carol.SendJsonAsync(new { type = "message", room = "other", msg = "marker" }, ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(typing.Str("user"), Is.EqualTo("alice"));
            Assert.That(typing.Str("room"), Is.EqualTo("lobby"));
            Assert.That(refused.Str("code"), Is.EqualTo("not_in_room"));
            Assert.That(await carol.TypesUntilAsync("marker", ct), Does.Not.Contain("typing"), "another room's members do not see it");
        }
    }

    [Test]
    public async Task A_private_typing_goes_to_the_target_only_and_one_to_an_offline_user_is_dropped_silently()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var host = await StreamHost.StartAsync("memory", "private", ct);
        var (alice, _) = await ConnectAsync(host.Port, "/websocket/alice?v=3", ct);
        await using var _a = alice;
        var (bob, _) = await ConnectAsync(host.Port, "/websocket/bob?v=3", ct);
        await using var _b = bob;
        var (carol, _) = await ConnectAsync(host.Port, "/websocket/carol?v=3", ct);
        await using var _c = carol;

        await alice.SendJsonAsync(new { type = "typing", to_client = "bob" }, ct);
        var typing = await bob.ReceiveEventAsync("typing", ct);
        await alice.SendJsonAsync(new { type = "typing", to_client = "ghost" }, ct);
        await alice.SendJsonAsync(new { msg = "marker", to_client = "ghost" }, ct);
        var atAlice = await alice.ReceiveEventsUntilAsync(e => e.Type() == "error", ct);
        await alice.SendJsonAsync(new { msg = "marker", to_client = "carol" }, ct);
        var atCarol = await carol.ReceiveEventsUntilAsync(e => e.Type() == "private", ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(typing.Str("user"), Is.EqualTo("alice"));
            Assert.That(atAlice.Select(e => e.Type()), Does.Not.Contain("typing"));
            Assert.That(atAlice[^1].Str("code"), Is.EqualTo("offline_target"), "the typing to an offline user got no answer of its own");
            Assert.That(atCarol.Select(e => e.Type()), Does.Not.Contain("typing"), "nobody else sees a private typing");
        }
    }

    [TestCase("memory")]
    [TestCase("sqlite")]
    public async Task A_read_marker_only_moves_forward_is_capped_at_the_latest_offset_and_reaches_the_users_other_v3_connections(string store)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var host = await StreamHost.StartAsync(store, "nick-broadcast", ct, "--jwt-secret", Tokens.Secret);
        var (phone, _) = await StreamCommandsClient.SignInV3Async(host.Port, "alice", ct);
        await using var _p = phone;
        var (laptop, _) = await StreamCommandsClient.SignInV3Async(host.Port, "alice", ct);
        await using var _l = laptop;
        var (old, _) = await StreamCommandsClient.SignInV3Async(host.Port, "alice", ct, v3: false);
        await using var _o = old;
        for (var i = 1; i <= 3; i++)
        {
            await phone.SayAsync("m" + i, ct);
        }

        await phone.SendJsonAsync(new { type = "read", offset = 2 }, ct);
        var moved = await laptop.ReceiveEventAsync("read", ct);
        await phone.SendJsonAsync(new { type = "read", offset = 1 }, ct);
        await phone.SendJsonAsync(new { type = "read", offset = 99 }, ct);
        var capped = await laptop.ReceiveEventAsync("read", ct);
        var bad = await phone.ErrorForAsync("""{"type":"read","offset":"two"}""", ct);
        var missing = await phone.ErrorForAsync("""{"type":"read"}""", ct);
        await phone.SendJsonAsync(new { msg = "marker" }, ct);
        var (fresh, freshUsers) = await StreamCommandsClient.SignInV3Async(host.Port, "alice", ct);
        await using var _f = fresh;
        var (plain, plainUsers) = await StreamCommandsClient.SignInV3Async(host.Port, "alice", ct, v3: false);
        await using var _pl = plain;
        var (bob, bobUsers) = await StreamCommandsClient.SignInV3Async(host.Port, "bob", ct);
        await using var _b = bob;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(moved.Offset(), Is.EqualTo(2));
            Assert.That(moved.Str("name"), Is.EqualTo("server"));
            Assert.That(capped.Offset(), Is.EqualTo(3), "capped at the latest offset; the move back changed nothing");
            Assert.That(bad.Str("code"), Is.EqualTo("invalid_request"));
            Assert.That(missing.Str("code"), Is.EqualTo("invalid_request"));
            Assert.That(await laptop.TypesUntilAsync("marker", ct), Does.Not.Contain("read"), "no event for a marker that did not move");
            Assert.That(await phone.TypesUntilAsync("marker", ct), Does.Not.Contain("read"), "the connection that moved it is not told");
            Assert.That(await old.TypesUntilAsync("marker", ct), Does.Not.Contain("read"), "nor is one without v=3");
            Assert.That(freshUsers.GetProperty("read").GetInt64(), Is.EqualTo(3));
            Assert.That(plainUsers.TryGetProperty("read", out _), Is.False, "users carries read on v=3 connections only");
            Assert.That(bobUsers.GetProperty("read").GetInt64(), Is.Zero, "0 when the user has none");
        }
    }

    [TestCase("memory")]
    [TestCase("sqlite")]
    public async Task Joined_carries_the_rooms_read_marker_on_v3_connections_and_a_read_for_a_room_not_joined_is_refused(string store)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var host = await StreamHost.StartAsync(store, "rooms", ct);
        await using var alice = await TypedClient.ConnectAsync(host.Port, "/websocket/alice?v=3", ct);
        var first = await alice.JoinedAsync("lobby", ct);
        await alice.SayAndGetOffsetAsync("lobby", "one", ct);
        await alice.SayAndGetOffsetAsync("lobby", "two", ct);
        await alice.SendJsonAsync(new { type = "read", room = "lobby", offset = 1 }, ct);
        var refused = await alice.ErrorForAsync("""{"type":"read","room":"other","offset":1}""", ct);
        await alice.LeftAsync("lobby", ct);
        var again = await alice.JoinedAsync("lobby", ct);
        await using var bob = await TypedClient.ConnectAsync(host.Port, "/websocket/bob", ct);
        var plain = await bob.JoinedAsync("lobby", ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.GetProperty("read").GetInt64(), Is.Zero);
            Assert.That(refused.Str("code"), Is.EqualTo("not_in_room"));
            Assert.That(again.GetProperty("read").GetInt64(), Is.EqualTo(1));
            Assert.That(plain.TryGetProperty("read", out _), Is.False);
        }
    }

    [Test]
    public async Task A_read_marker_survives_a_restart_with_the_store()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        using var folder = new TemporaryFolder("fleck-reads-");
        string[] args = [.. HostProcess.OnLoopback("rooms"), "--rate", "0", "--store", folder.File("chat.db")];
        await using (var host = await HostProcess.StartReadyAsync(ct, args))
        {
            await using var alice = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/alice?v=3", ct);
            await alice.JoinedAsync("lobby", ct);
            await alice.SayAndGetOffsetAsync("lobby", "one", ct);
            await alice.SayAndGetOffsetAsync("lobby", "two", ct);
            await alice.SendJsonAsync(new { type = "read", room = "lobby", offset = 2 }, ct);
            // Read back on this run first: the marker is recorded before the host stops.
            await alice.LeftAsync("lobby", ct);
            Assert.That((await alice.JoinedAsync("lobby", ct)).GetProperty("read").GetInt64(), Is.EqualTo(2));
        }
        await using var restarted = await HostProcess.StartReadyAsync(ct, args);
        await using var back = await TypedClient.ConnectAsync(restarted.WebSocketPort, "/websocket/alice?v=3", ct);
        var joined = await back.JoinedAsync("lobby", ct);
        Assert.That(joined.GetProperty("read").GetInt64(), Is.EqualTo(2));
    }

    [TestCase("memory")]
    [TestCase("sqlite")]
    public async Task A_read_marker_is_forgotten_with_its_stream_after_the_time_to_live(string store)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        await using var host = await StreamHost.StartAsync(store, "rooms", ct, "--stream-ttl", "2s");
        await using var alice = await TypedClient.ConnectAsync(host.Port, "/websocket/alice?v=3", ct);
        await alice.JoinedAsync("lobby", ct);
        await alice.SayAndGetOffsetAsync("lobby", "one", ct);
        await alice.SendJsonAsync(new { type = "read", room = "lobby", offset = 1 }, ct);
        await alice.LeftAsync("lobby", ct);
        await host.WaitForStreamsAsync(0, ct);
        var joined = await alice.JoinedAsync("lobby", ct);
        Assert.That(joined.GetProperty("read").GetInt64(), Is.Zero);
        Assert.That(joined.Offset(), Is.Zero);
    }
}
