using System.Net;
using System.Text.Json;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Host.Api;

/// <summary>The server API of a host in rooms mode: publish to one room and the presence of one room, as real clients see them.</summary>
[CancelAfter(60_000)]
[Parallelizable(ParallelScope.All)]
public sealed class ApiRoomsTests
{
    [Test]
    public async Task Publish_to_a_room_reaches_its_members_as_server_with_the_next_offset_and_nobody_outside_it()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ApiHost.StartAsync("rooms", ct);
        await using var alice = await InRoomAsync(host, "alice", "lobby", ct);
        await using var bob = await InRoomAsync(host, "bob", "lobby", ct);
        await using var carol = await InRoomAsync(host, "carol", "kitchen", ct);
        await using var dave = await ApiHost.JoinAsync(host, "dave", ct);
        using var api = new ApiClient(host.HttpPort, ApiHost.Key);
        await alice.SayAsync("lobby", "before the announcement", ct);
        var first = await bob.ReceiveRoomEventAsync("message", "lobby", ct);

        var answer = await api.PostJsonAsync("/api/publish", new { msg = "maintenance at noon", room = "Lobby" }, ct);
        var atAlice = await alice.ReceiveUntilMessageAsync("maintenance at noon", ct);
        var atBob = await bob.ReceiveUntilMessageAsync("maintenance at noon", ct);
        var kitchenMarker = await api.PostJsonAsync("/api/publish", new { msg = "kitchen marker", room = "kitchen" }, ct);
        var atCarol = await carol.ReceiveUntilMessageAsync("kitchen marker", ct);
        await api.PostJsonAsync("/api/send", new { to = "dave", msg = "dave marker" }, ct);
        var atDave = await dave.ReceiveEventsUntilAsync(e => e.Type() == "private", ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.Body);
            Assert.That(answer.Body, Is.EqualTo($"{{\"ok\":true,\"offset\":{first.GetProperty("offset").GetInt64() + 1}}}"),
                "numbered right after the member's message, in the same stream");
            foreach (var heard in new[] { atAlice[^1], atBob[^1] })
            {
                Assert.That(heard.Str("room"), Is.EqualTo("lobby"));
                Assert.That(heard.Str("name"), Is.EqualTo("server"));
                Assert.That(heard.GetProperty("offset").GetInt64(), Is.EqualTo(answer.Json!.Value.GetProperty("offset").GetInt64()));
                Assert.That(heard.GetProperty("ts").GetInt64(), Is.Positive);
            }
            Assert.That(kitchenMarker.Body, Is.EqualTo("{\"ok\":true,\"offset\":1}"), "each room numbers its own stream");
            Assert.That(atCarol.Select(e => e.Str("msg")), Is.EqualTo(new[] { "kitchen marker" }), "carol, in another room, got nothing before her room's marker");
            Assert.That(atDave.Select(e => e.Type()), Is.EqualTo(new[] { "private" }), "dave, in no room, got nothing before his marker");
        }
    }

    [Test]
    public async Task A_publish_to_a_room_nobody_is_in_is_in_the_history_of_whoever_joins_later()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ApiHost.StartAsync("rooms", ct);
        using var api = new ApiClient(host.HttpPort, ApiHost.Key);

        var answer = await api.PostJsonAsync("/api/publish", new { msg = "read me when you come in", room = "news" }, ct);
        await using var erin = await ApiHost.JoinAsync(host, "erin", ct);
        var joined = await erin.JoinedAsync("news", ct);
        var history = await erin.ReceiveRoomEventAsync("history", "news", ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.Body);
            Assert.That(answer.Body, Is.EqualTo("{\"ok\":true,\"offset\":1}"));
            Assert.That(joined.GetProperty("offset").GetInt64(), Is.EqualTo(1));
            Assert.That(history.Str("name"), Is.EqualTo("server"));
            Assert.That(history.Str("msg"), Is.EqualTo("read me when you come in"));
            Assert.That(history.GetProperty("offset").GetInt64(), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Presence_of_a_room_lists_its_members_only_while_plain_presence_lists_everyone()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ApiHost.StartAsync("rooms", ct);
        await using var carol = await InRoomAsync(host, "carol", "lobby", ct);
        await using var alice = await InRoomAsync(host, "Alice", "lobby", ct);
        await using var bob = await InRoomAsync(host, "bob", "kitchen", ct);
        await using var dave = await ApiHost.JoinAsync(host, "dave", ct);
        using var api = new ApiClient(host.HttpPort, ApiHost.Key);

        var lobby = await api.GetAsync("/api/presence?room=LOBBY", ct);
        var empty = await api.GetAsync("/api/presence?room=attic", ct);
        var everyone = await api.GetAsync("/api/presence", ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(lobby.Status, Is.EqualTo(HttpStatusCode.OK), lobby.Body);
            Assert.That(Users(lobby), Is.EqualTo(new[] { "Alice", "carol" }));
            Assert.That(empty.Body, Is.EqualTo("{\"users\":[]}"));
            Assert.That(Users(everyone), Is.EqualTo(new[] { "Alice", "bob", "carol", "dave" }));
        }
    }

    [Test]
    public async Task A_publish_without_a_room_is_400_missing_field_and_reaches_nobody()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ApiHost.StartAsync("rooms", ct);
        await using var alice = await InRoomAsync(host, "alice", "lobby", ct);
        using var api = new ApiClient(host.HttpPort, ApiHost.Key);

        var missing = await api.PostJsonAsync("/api/publish", new { msg = "to whom?" }, ct);
        var empty = await api.PostJsonAsync("/api/publish", new { msg = "to whom?", room = "" }, ct);
        var marker = await api.PostJsonAsync("/api/publish", new { msg = "marker", room = "lobby" }, ct);
        var atAlice = await alice.ReceiveUntilMessageAsync("marker", ct);

        using (Assert.EnterMultipleScope())
        {
            foreach (var answer in new[] { missing, empty })
            {
                Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.BadRequest), answer.Body);
                Assert.That(answer.Error, Is.EqualTo("missing_field"));
                Assert.That(answer.Json?.GetProperty("field").GetString(), Is.EqualTo("room"));
            }
            Assert.That(marker.Body, Is.EqualTo("{\"ok\":true,\"offset\":1}"), "nothing was numbered before the marker");
            Assert.That(atAlice.Select(e => e.Str("msg")), Is.EqualTo(new[] { "marker" }), "alice got nothing before the marker");
        }
    }

    [TestCase("has space")]
    [TestCase("-dash-first")]
    [TestCase("a-room-name-of-thirty-three-chars")]
    [TestCase("caf\u00e9")]
    [TestCase("#lobby")]
    public async Task An_invalid_room_name_is_400_invalid_room_for_publish_and_presence(string room)
    {
        var ct = TestTimeouts.Token();
        await using var host = await ApiHost.StartAsync("rooms", ct);
        using var api = new ApiClient(host.HttpPort, ApiHost.Key);

        var publish = await api.PostJsonAsync("/api/publish", new { msg = "hello", room }, ct);
        var presence = await api.GetAsync("/api/presence?room=" + Uri.EscapeDataString(room), ct);
        var empty = await api.GetAsync("/api/presence?room=", ct);
        var bare = await api.GetAsync("/api/presence?room", ct);

        using (Assert.EnterMultipleScope())
        {
            foreach (var answer in new[] { publish, presence })
            {
                Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.BadRequest), answer.Body);
                Assert.That(answer.Error, Is.EqualTo("invalid_room"));
                Assert.That(answer.Json?.GetProperty("field").GetString(), Is.EqualTo("room"));
                Assert.That(answer.Body, Does.Contain("letters, digits"), "a message that says what a room name may be");
            }
            foreach (var answer in new[] { empty, bare })
            {
                Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.BadRequest), answer.Body);
                Assert.That(answer.Error, Is.EqualTo("missing_field"), "a room asked for without a name");
            }
        }
    }

    /// <summary>Logs in and joins one room, waiting for the <c>joined</c> event that confirms it.</summary>
    private static async Task<TypedClient> InRoomAsync(HostProcess host, string nickname, string room, CancellationToken ct)
    {
        var client = await ApiHost.JoinAsync(host, nickname, ct);
        try
        {
            await client.JoinedAsync(room, ct);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    private static string?[] Users(ApiAnswer answer) =>
        answer.Json is { } json ? [.. json.GetProperty("users").EnumerateArray().Select(u => u.GetString())] : [];
}
