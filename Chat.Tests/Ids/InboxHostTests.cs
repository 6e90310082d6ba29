using Fleck.Chat.Tests.Support;
using static Fleck.Chat.Tests.Ids.IdHosts;

namespace Fleck.Chat.Tests.Ids;

/// <summary>Inboxes (private mode with identity) against one host process, in memory or with <c>--store</c>.</summary>
[CancelAfter(90_000)]
[Parallelizable(ParallelScope.All)]
public sealed class InboxHostTests
{
    private static async Task RunAsync(string store, Func<IdHosts, CancellationToken, Task> scenario)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        using var folder = new TemporaryFolder("fleck-inbox-");
        await using var host = await HostProcess.StartReadyAsync(ct, Args("private", true, store == "sqlite" ? ["--store", folder.File("chat.db")] : []));
        await scenario(new IdHosts(host, host), ct);
    }

    [TestCase("memory")]
    [TestCase("sqlite")]
    public Task A_private_conversation_is_kept_and_reaches_every_device_but_the_sending_one(string store) =>
        RunAsync(store, InboxScenarios.AConversationIsKeptAndReachesEveryDeviceAsync);

    [TestCase("memory")]
    [TestCase("sqlite")]
    public Task A_v3_connection_gets_the_echo_of_its_own_private_message(string store) =>
        RunAsync(store, InboxScenarios.AV3ConnectionGetsItsOwnEchoAsync);

    [TestCase("memory")]
    [TestCase("sqlite")]
    public Task A_user_away_gets_its_messages_kept_and_resumes_with_recovered(string store) =>
        RunAsync(store, InboxScenarios.AnAbsentUserGetsItsMessagesOnReturnAndResumesAsync);

    [TestCase("memory")]
    [TestCase("sqlite")]
    public Task A_never_seen_target_is_offline_until_it_has_an_inbox(string store) =>
        RunAsync(store, InboxScenarios.ANeverSeenTargetIsRefusedUntilItHasAnInboxAsync);

    [Test]
    public async Task Inboxes_count_toward_max_streams_but_a_sign_in_is_never_refused()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(60));
        await using var host = await HostProcess.StartReadyAsync(ct, Args("private", true, "--max-streams", "1"));
        var (alice, _) = await SignInAsync(host, "alice", ct);
        var (bob, bobUsers) = await SignInAsync(host, "bob", ct);
        await using var a = alice;
        await using var b = bob;
        await alice.SendJsonAsync(new { to_client = "bob", msg = "past the limit", id = "s-1" }, ct);
        var ack = await alice.ReceiveAckAsync("s-1", ct);
        var got = await bob.ReceiveEventAsync("private", ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(bobUsers.Str("epoch"), Is.Not.Empty);
            Assert.That(ack.Offset(), Is.EqualTo(1));
            Assert.That(got.Offset(), Is.EqualTo(1));
        }
    }
}
