using System.Text.Json;
using Fleck.Chat.Redis.Tests.Support;
using Fleck.Chat.Tests.Identity;

namespace Fleck.Chat.Redis.Tests.Failures;

/// <summary>
/// A host process killed (SIGKILL) while an identified user it served is also connected to another
/// live host: the user is still online, so nobody is told it left, not by the host that sweeps the
/// dead one, nor by any other.
/// </summary>
[CancelAfter(120_000)]
public sealed class IdentifiedNodeDeathTests
{
    [Test]
    public async Task A_killed_host_is_not_taken_for_the_leave_of_a_user_still_connected_to_another_host()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(110));
        await using var cluster = await HostCluster.StartAsync(3, "private", ct, "--jwt-secret", Tokens.Secret);
        var (doomed, living, watching) = (cluster.Hosts[0], cluster.Hosts[1], cluster.Hosts[2]);
        await using var bob = await TypedClient.ConnectSignedInAsync(watching.WebSocketPort, Tokens.For("bob"), ct);
        var aliceOnDoomed = await TypedClient.ConnectSignedInAsync(doomed.WebSocketPort, Tokens.For("alice"), ct);
        await bob.ReceiveEventAsync("join", ct);
        await using var aliceOnLiving = await TypedClient.ConnectSignedInAsync(living.WebSocketPort, Tokens.For("alice"), ct);
        await using var admin = await cluster.Redis.ConnectAdminAsync();
        var nodes = admin.GetDatabase();
        Assert.That(await nodes.SetLengthAsync("fleckchat:nodes"), Is.EqualTo(3));

        doomed.KillHard();
        // The sweep that takes the dead host out of the node set announces, in the same atomic step,
        // whatever it announces; once the set is down to two, that is on its way to bob.
        while (await nodes.SetLengthAsync("fleckchat:nodes") > 2)
        {
            await Task.Delay(200, ct);
        }
        // A join published after the sweep reaches bob through Redis behind anything the sweep published.
        await using var dave = await TypedClient.ConnectSignedInAsync(living.WebSocketPort, Tokens.For("dave"), ct);
        var untilDave = await bob.ReceiveEventsUntilAsync(e => Type(e) == "join" && User(e) == "dave", ct);
        await bob.SendJsonAsync(new { to_client = "alice", msg = "still there?" }, ct);
        var reached = await aliceOnLiving.ReceiveEventAsync("private", ct);
        await aliceOnLiving.CloseAsync(ct);
        var left = await bob.ReceiveEventAsync("leave", ct);

        Assert.That(untilDave.Where(e => Type(e) == "leave").Select(User), Is.Empty, "no leave while alice is connected to a living host");
        Assert.That(reached.GetProperty("msg").GetString(), Is.EqualTo("still there?"));
        Assert.That(User(left), Is.EqualTo("alice"), "her last connection closing is her leave");
        await aliceOnDoomed.DisposeAsync();
    }

    private static string? Type(JsonElement e) => e.GetProperty("type").GetString();

    private static string? User(JsonElement e) => e.TryGetProperty("user", out var u) ? u.GetString() : null;
}
