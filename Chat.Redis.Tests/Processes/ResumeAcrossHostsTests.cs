using Fleck.Chat.Redis.Tests.Support;
using Fleck.Chat.Tests.Recovery;

namespace Fleck.Chat.Redis.Tests.Processes;

/// <summary>
/// Two nick-broadcast host processes on one redis-server: one stream, numbered in Redis, seen alike
/// from both; a client resumes on either host.
/// </summary>
[CancelAfter(120_000)]
public sealed class ResumeAcrossHostsTests
{
    private static Task<HostProcess> StartNodeAsync(RedisServer redis, CancellationToken ct) =>
        RecoveryHost.StartAsync(ct, "--redis", redis.Configuration, "--history", "20000", "--retain", "20000");

    [Test]
    public async Task Both_hosts_see_one_offset_sequence_and_a_client_resumes_on_the_other_host()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        await using var redis = await RedisServer.StartAsync();
        await using var one = await StartNodeAsync(redis, ct);
        await using var two = await StartNodeAsync(redis, ct);
        var (alice, aliceUsers) = await RecoveryHost.JoinAsync(one, "alice", ct);
        await using var _ = alice;
        var (bob, bobUsers) = await RecoveryHost.JoinAsync(two, "bob", ct);

        await alice.SendJsonAsync(new { msg = "a1" }, ct);
        await bob.SendJsonAsync(new { msg = "b1" }, ct);
        await alice.SendJsonAsync(new { msg = "a2" }, ct);
        await bob.SendJsonAsync(new { msg = "b2" }, ct);
        var atBob = await bob.ReceiveEventsUntilAsync(e => RecoveryHost.IsMessage(e, "b2"), ct);
        // Sent once bob's last message was seen, so it is the last of the run everywhere.
        await alice.SendJsonAsync(new { msg = "end" }, ct);
        var atAlice = await alice.ReceiveEventsUntilAsync(e => RecoveryHost.IsMessage(e, "end"), ct);
        atBob.AddRange(await bob.ReceiveEventsUntilAsync(e => RecoveryHost.IsMessage(e, "end"), ct));
        bob.Abort();
        await bob.DisposeAsync();
        await RecoveryHost.SayAsync(alice, "missed 1", ct);
        await RecoveryHost.SayAsync(alice, "missed 2", ct);
        var (bobAgain, resumedUsers) = await RecoveryHost.JoinAsync(one, "bob2", ct, $"?since=5&epoch={bobUsers.GetProperty("epoch").GetString()}");
        await using var __ = bobAgain;
        var welcome = await bobAgain.ReceiveEventsUntilAsync(e => e.GetProperty("type").GetString() == "recovered", ct);

        static string[] Messages(List<System.Text.Json.JsonElement> events) =>
            [.. events.Where(e => e.GetProperty("type").GetString() == "message").Select(RecoveryHost.Summary)];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(bobUsers.GetProperty("epoch").GetString(), Is.EqualTo(aliceUsers.GetProperty("epoch").GetString()), "one stream, one epoch");
            Assert.That(Messages(atAlice).Select(m => m.Split(':')[1]), Is.EqualTo(new[] { "1", "2", "3", "4", "5" }), "offsets 1 to 5, no gap, no repeat");
            Assert.That(Messages(atBob), Is.EqualTo(Messages(atAlice)), "both hosts deliver the same sequence");
            Assert.That(resumedUsers.GetProperty("epoch").GetString(), Is.EqualTo(aliceUsers.GetProperty("epoch").GetString()));
            Assert.That(resumedUsers.GetProperty("offset").GetInt64(), Is.EqualTo(7));
            Assert.That(welcome.Select(RecoveryHost.Summary), Is.EqualTo(new[] { "history:6:missed 1", "history:7:missed 2", "recovered:true:2" }));
        }
    }

    [Test]
    [CancelAfter(200_000)]
    public async Task A_client_reconnecting_to_either_host_while_members_on_both_send_sees_every_offset_once_in_order()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(180));
        await using var redis = await RedisServer.StartAsync();
        await using var one = await StartNodeAsync(redis, ct);
        await using var two = await StartNodeAsync(redis, ct);
        HostProcess Node(int n) => n % 2 == 0 ? one : two;
        var reader = new ResumingReader();

        var (total, resumesWhileSending) = await ConcurrentSenders.RunAsync(4, 6, reader,
            async (n, token) => (await RecoveryHost.JoinAsync(Node(n), $"sender{n}", token)).Client,
            (n, query, token) => TypedClient.ConnectAsync(Node(n).WebSocketPort, $"/websocket/reader{n}" + query, token), ct);

        TestContext.Out.WriteLine($"{total} messages, {reader.Resumes.Count} resumes, {resumesWhileSending} while the senders were sending");
        Assert.That(reader.Offsets, Is.EqualTo(Enumerable.Range(1, (int)total).Select(i => (long)i)), "every offset once, in order, from either host");
        Assert.That(reader.Resumes, Is.All.True);
        Assert.That(reader.Epochs, Has.Count.EqualTo(1));
        Assert.That(resumesWhileSending, Is.GreaterThanOrEqualTo(6));
    }

    [Test]
    public async Task When_redis_loses_the_stream_a_new_epoch_begins_and_a_resume_from_the_old_one_is_not_recovered()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        await using var redis = await RedisServer.StartAsync();
        await using var one = await StartNodeAsync(redis, ct);
        var (writer, users) = await RecoveryHost.JoinAsync(one, "writer", ct);
        await using var _ = writer;
        await RecoveryHost.SayAsync(writer, "before", ct);
        await RecoveryHost.SayAsync(writer, "lost", ct);
        // Alice's live stream starts after offset 2 of the old epoch: offset 1 of the new one must still reach her.
        var (alice, aliceUsers) = await RecoveryHost.JoinAsync(one, "alice", ct);
        await using var ___ = alice;

        await using (var admin = await redis.ConnectAdminAsync())
        {
            var db = admin.GetDatabase();
            // Only the stream's epoch and offset, as an eviction might: the history left behind must not be served under the new epoch.
            await db.KeyDeleteAsync("fleckchat:room:~chat:stream");
        }
        var after = await RecoveryHost.SayAsync(alice, "after", ct);
        var (bob, bobUsers) = await RecoveryHost.JoinAsync(one, "bob", ct, $"?since=2&epoch={users.GetProperty("epoch").GetString()}");
        await using var __ = bob;
        var welcome = await bob.ReceiveEventsUntilAsync(e => e.GetProperty("type").GetString() == "recovered", ct);

        Assert.That(aliceUsers.GetProperty("offset").GetInt64(), Is.EqualTo(2));
        Assert.That(after, Is.EqualTo(1), "offsets start again in the new epoch, and reach a member that joined at offset 2 of the old one");
        Assert.That(bobUsers.GetProperty("epoch").GetString(), Is.Not.EqualTo(users.GetProperty("epoch").GetString()));
        Assert.That(welcome.Select(RecoveryHost.Summary), Is.EqualTo(new[] { "history:1:after", "recovered:false" }));
    }
}
