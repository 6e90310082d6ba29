using Fleck.Chat.Redis.Tests.Support;
using Fleck.Chat.Tests.Ids;

namespace Fleck.Chat.Redis.Tests.Processes;

/// <summary>Acknowledged sends and inboxes with two host processes on one redis-server: the ids seen and the inboxes are every host's.</summary>
[CancelAfter(120_000)]
public sealed class AckedSendsAcrossHostsTests
{
    private static async Task RunAsync(string mode, bool identity, Func<IdHosts, CancellationToken, Task> scenario)
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        await using var redis = await RedisServer.StartAsync();
        await using var one = await HostProcess.StartReadyAsync(ct, IdHosts.Args(mode, identity, "--redis", redis.Configuration));
        await using var two = await HostProcess.StartReadyAsync(ct, IdHosts.Args(mode, identity, "--redis", redis.Configuration));
        await scenario(new IdHosts(one, two), ct);
    }

    [Test]
    public Task A_resend_through_the_other_host_is_a_duplicate_not_delivered_again() =>
        RunAsync("nick-broadcast", false, IdScenarios.NickBroadcastAcksAndDeduplicatesAsync);

    [Test]
    public Task Ids_outside_the_rules_get_invalid_id_on_a_clustered_host() =>
        RunAsync("nick-broadcast", false, IdScenarios.InvalidIdsAreRefusedAsync);

    [Test]
    public Task Rooms_acks_and_failed_sends_hold_across_hosts() =>
        RunAsync("rooms", false, IdScenarios.RoomsAckWithRoomAndAFailedSendLeavesTheIdFreeAsync);

    [Test]
    public Task Private_without_identity_acks_without_offset_across_hosts() =>
        RunAsync("private", false, IdScenarios.PrivateWithoutIdentityAcksWithoutOffsetAsync);

    [Test]
    public Task The_same_id_through_both_hosts_at_once_is_numbered_and_delivered_once() =>
        RunAsync("nick-broadcast", true, IdScenarios.TheSameIdAtOnceIsNumberedOnceAsync);

    [Test]
    public Task A_private_conversation_reaches_every_device_on_either_host() =>
        RunAsync("private", true, InboxScenarios.AConversationIsKeptAndReachesEveryDeviceAsync);

    [Test]
    public Task A_v3_connection_gets_its_own_echo_through_redis() =>
        RunAsync("private", true, InboxScenarios.AV3ConnectionGetsItsOwnEchoAsync);

    [Test]
    public Task A_user_away_resumes_its_inbox_on_the_other_host() =>
        RunAsync("private", true, InboxScenarios.AnAbsentUserGetsItsMessagesOnReturnAndResumesAsync);

    [Test]
    public Task A_never_seen_target_is_offline_until_it_signs_in_on_the_other_host() =>
        RunAsync("private", true, InboxScenarios.ANeverSeenTargetIsRefusedUntilItHasAnInboxAsync);
}
