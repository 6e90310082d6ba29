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
}
