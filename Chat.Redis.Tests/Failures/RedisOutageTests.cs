using System.Text.Json;
using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Redis.Tests.Support;

namespace Fleck.Chat.Redis.Tests.Failures;

/// <summary>Redis is killed under running nodes and started again (empty) on the same port.</summary>
[CancelAfter(120_000)]
public sealed class RedisOutageTests
{
    [Test]
    public async Task A_chat_message_during_the_outage_is_refused_as_unavailable_and_chat_resumes_after_it_numbered_and_without_duplicates()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(90));
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await ChatCluster.StartAsync(redis, new NickBroadcastMode(), 2);
        var alice = await cluster[0].JoinAsync("alice", ct);
        var carol = await cluster[0].JoinAsync("carol", ct);
        var bob = await cluster[1].JoinAsync("bob", ct);
        await alice.ReceiveEventAsync("join", ct);
        await alice.ReceiveEventAsync("join", ct);

        redis.Kill();
        // Nobody can number it: it is refused, not sent around the stream unnumbered.
        await alice.SendTextAsync("during the outage", ct);
        var refused = await alice.ReceiveEventAsync("error", ct);
        Assert.That(refused.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.Unavailable));

        // Everything bob receives from here on, in order; the first probe to reach him ends the retries.
        var atBob = new List<string>();
        var probeCrossed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var bobReader = Task.Run(async () =>
        {
            while (true)
            {
                var text = (await bob.ReceiveEventAsync("message", ct)).GetProperty("msg").GetString()!;
                if (text == "bob is back")
                {
                    return;
                }
                atBob.Add(text);
                probeCrossed.TrySetResult(text);
            }
        }, ct);

        await redis.RestartAsync();
        var probes = new List<string>();
        await Retry.SendUntilArrivedAsync(i =>
        {
            probes.Add($"probe {i}");
            return alice.SendTextAsync(probes[^1], ct);
        }, probeCrossed.Task, TestTimeouts.Recovery, ct);
        await bob.SendTextAsync("bob is back", ct);
        await bobReader;

        var atAlice = await MessagesUntilAsync(alice, "bob is back", ct);
        var atCarol = await MessagesUntilAsync(carol, "bob is back", ct);
        using (Assert.EnterMultipleScope())
        {
            // Probes sent before node 0 was back on Redis were refused like the first message.
            Assert.That(atAlice, Is.Not.Empty);
            Assert.That(atAlice, Is.Unique, "alice saw each numbered probe once");
            Assert.That(atAlice, Is.SubsetOf(probes), "the refused message never went out");
            Assert.That(atAlice, Is.EqualTo(probes.Where(atAlice.Contains)), "in the order they were sent");
            Assert.That(atCarol, Is.EqualTo(atAlice), "carol saw what alice saw, in the same order");
            Assert.That(atBob, Is.Not.Empty);
            Assert.That(atBob, Is.Unique, "nothing reached bob twice");
            Assert.That(atBob, Is.SubsetOf(atAlice), "bob got only numbered messages");
        }
    }

    [Test]
    public async Task A_new_member_during_the_outage_gets_unavailable_and_close_4003_and_can_join_after_it()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(60));
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await ChatCluster.StartAsync(redis, new PrivateMode(), 2);
        var alice = await cluster[0].JoinAsync("alice", ct);

        redis.Kill();
        var dave = await cluster[0].ConnectAsync("/websocket/dave", ct);
        var error = await dave.ReceiveEventAsync("error", ct);
        await dave.Closed.Task.WaitAsync(ct);

        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.Unavailable));
        Assert.That((int?)dave.CloseStatus, Is.EqualTo(ChatErrorCode.CloseUnavailable));
        Assert.That(cluster[0].Server.GetStatistics().Members, Is.EqualTo(1), "alice is still in");

        await redis.RestartAsync();
        // Node 1 reconnects on its own schedule: until it does, it can only answer "unavailable".
        var (newDave, first) = await Retry.UntilAsync(
            async _ =>
            {
                var client = await cluster[1].ConnectAsync("/websocket/dave", ct);
                return (Client: client, First: await client.ReceiveEventAsync(ct));
            },
            attempt => !IsUnavailableError(attempt.First),
            TestTimeouts.Recovery, ct);
        Assert.That(first.GetProperty("type").GetString(), Is.EqualTo("users"));
        Assert.That(first.GetProperty("users").EnumerateArray().Select(u => u.GetString()), Does.Contain("dave"));
        var welcome = await Retry.SendUntilArrivedAsync(i => alice.SendJsonAsync(new { msg = $"welcome {i}", to_client = "dave" }, ct),
            newDave.ReceiveEventAsync("private", ct), TestTimeouts.Recovery, ct);
        Assert.That(welcome.GetProperty("name").GetString(), Is.EqualTo("alice"));
    }

    [Test]
    public async Task Nicknames_are_claimed_again_after_redis_comes_back_empty()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(60));
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await ChatCluster.StartAsync(redis, new PrivateMode(), 2);
        var alice = await cluster[0].JoinAsync("alice", ct);
        var bob = await cluster[1].JoinAsync("bob", ct);

        redis.Kill();
        await redis.RestartAsync();
        await using (var events = await KeyEvents.WatchAsync(redis, cluster.Options.Prefix))
        {
            // Node 0 claims alice again when it reconnects, maybe before the watch began.
            if (!await events.Database.KeyExistsAsync(cluster.Options.Prefix + "nick:alice"))
            {
                await events.NextAsync(e => e.Key == "nick:alice" && e.Event == "set", ct);
            }
        }

        // Node 1 reconnects on its own schedule: until it does, it can only answer "unavailable".
        var refused = await Retry.UntilAsync(
            async _ => await (await cluster[1].ConnectAsync("/websocket/Alice", ct)).ReceiveEventAsync("error", ct),
            error => !IsUnavailableError(error),
            TestTimeouts.Recovery, ct);
        Assert.That(refused.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.NicknameTaken));
        var reached = await Retry.SendUntilArrivedAsync(i => bob.SendJsonAsync(new { msg = $"still you? {i}", to_client = "alice" }, ct),
            alice.ReceiveEventAsync("private", ct), TestTimeouts.Recovery, ct);
        Assert.That(reached.GetProperty("name").GetString(), Is.EqualTo("bob"));
    }

    [Test]
    public async Task Broadcast_mode_keeps_serving_and_admitting_local_clients_during_the_outage()
    {
        var ct = TestTimeouts.Token();
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await ChatCluster.StartAsync(redis, new BroadcastMode(), 2);
        var first = await cluster[0].ConnectAnonymousAsync(ct);

        redis.Kill();
        var second = await cluster[0].ConnectAnonymousAsync(ct);
        await first.SendTextAsync("still here", ct);

        Assert.That(await first.ReceiveTextAsync(ct), Is.EqualTo("still here"));
        Assert.That(await second.ReceiveTextAsync(ct), Is.EqualTo("still here"));
        Assert.That(cluster[0].Backplane.DroppedMessages, Is.GreaterThan(0), "what the other node could not get was dropped, not queued");
    }

    /// <summary>The texts of every message event up to (not including) <paramref name="last"/>.</summary>
    private static async Task<List<string>> MessagesUntilAsync(TypedClient client, string last, CancellationToken ct)
    {
        var texts = new List<string>();
        while (true)
        {
            var e = await client.ReceiveEventAsync("message", ct);
            var text = e.GetProperty("msg").GetString()!;
            if (text == last)
            {
                return texts;
            }
            texts.Add(text);
        }
    }

    private static bool IsUnavailableError(JsonElement e) =>
        e.GetProperty("type").GetString() == "error" && e.GetProperty("code").GetString() == ChatErrorCode.Unavailable;
}
