using System.Security.Claims;
using System.Text;
using Fleck.Chat.Identity;
using Fleck.Chat.Modes;
using Fleck.Chat.Redis.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Fleck.Chat.Redis.Tests.Modes;

/// <summary>An identified user connected to two nodes at once is one user of the chat.</summary>
[CancelAfter(60_000)]
public sealed class IdentityAcrossNodesTests : SharedRedis
{
    private const string Secret = "redis-test-secret-long-enough-for-hs256";

    private static readonly ChatServerOptions Identified = new() { Transport = new() { Authenticator = JwtAuthenticator.WithSecret(Secret) } };

    private static string Token(string name) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Subject = new ClaimsIdentity([new Claim("name", name)]),
        Expires = DateTime.UtcNow.AddMinutes(10),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret)), SecurityAlgorithms.HmacSha256),
    });

    private static async Task<TypedClient> SignInAsync(ChatNode node, string name, CancellationToken ct)
    {
        var client = await node.ConnectAsync("/websocket?access_token=" + Token(name), ct);
        await client.ReceiveEventAsync("users", ct);
        return client;
    }

    [Test]
    public async Task A_user_on_two_nodes_is_listed_once_and_gets_private_messages_on_both()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new PrivateMode(), 2, serverOptions: Identified);
        var bob = await SignInAsync(cluster[0], "bob", ct);
        var aliceHere = await SignInAsync(cluster[0], "alice", ct);
        var aliceThere = await SignInAsync(cluster[1], "alice", ct);

        var carol = await cluster[1].ConnectAsync("/websocket?access_token=" + Token("carol"), ct);
        var users = await carol.ReceiveEventAsync("users", ct);
        await bob.SendJsonAsync(new { to_client = "alice", msg = "from node 0" }, ct);
        var here = await aliceHere.ReceiveEventAsync("private", ct);
        var there = await aliceThere.ReceiveEventAsync("private", ct);
        await carol.SendJsonAsync(new { to_client = "ALICE", msg = "from node 1" }, ct);
        var here2 = await aliceHere.ReceiveEventAsync("private", ct);
        var there2 = await aliceThere.ReceiveEventAsync("private", ct);

        Assert.That(users.GetProperty("users").EnumerateArray().Select(u => u.GetString()), Is.EqualTo(new[] { "alice", "bob", "carol" }));
        Assert.That(here.GetProperty("msg").GetString(), Is.EqualTo("from node 0"));
        Assert.That(there.GetProperty("msg").GetString(), Is.EqualTo("from node 0"));
        Assert.That(here2.GetProperty("msg").GetString(), Is.EqualTo("from node 1"));
        Assert.That(there2.GetProperty("msg").GetString(), Is.EqualTo("from node 1"));
    }

    [Test]
    public async Task A_user_who_left_one_node_is_still_reachable_on_the_other_and_written_to_its_inbox_after_the_last()
    {
        var ct = TestTimeouts.Token();
        await using var cluster = await ChatCluster.StartAsync(Redis, new PrivateMode(), 2, serverOptions: Identified);
        var bob = await SignInAsync(cluster[0], "bob", ct);
        var aliceHere = await SignInAsync(cluster[0], "alice", ct);
        var joined = await bob.ReceiveEventAsync(ct);
        var aliceThere = await SignInAsync(cluster[1], "alice", ct);

        await aliceHere.CloseAsync(ct);
        while (cluster[0].Server.GetStatistics().Connections != 1)
        {
            await Task.Delay(20, ct);
        }
        await bob.SendJsonAsync(new { to_client = "alice", msg = "still there?" }, ct);
        var there = await aliceThere.ReceiveEventAsync("private", ct);
        await aliceThere.SendJsonAsync(new { to_client = "bob", msg = "marker" }, ct);
        // A leave for the first connection would have been queued to bob before node 0 dropped that connection.
        var afterFirstClose = await bob.ReceiveEventAsync(ct);
        await aliceThere.CloseAsync(ct);
        var left = await bob.ReceiveEventAsync("leave", ct);
        // Part 3: alice has an inbox, so what she is sent while away is kept for her, not refused.
        await bob.SendJsonAsync(new { to_client = "alice", msg = "gone?", id = "g-1" }, ct);
        var kept = await bob.ReceiveEventsUntilAsync(e => e.GetProperty("type").GetString() == "ack", ct);
        var back = await cluster[1].ConnectAsync("/websocket?access_token=" + Token("alice"), ct);
        var welcome = await back.ReceiveEventsUntilAsync(e => e.GetProperty("type").GetString() == "history" && e.GetProperty("msg").GetString() == "gone?", ct);

        Assert.That(there.GetProperty("msg").GetString(), Is.EqualTo("still there?"));
        Assert.That(joined.GetProperty("type").GetString(), Is.EqualTo("join"));
        Assert.That(afterFirstClose.GetProperty("msg").GetString(), Is.EqualTo("marker"), "no second join, and no leave while alice is on the other node");
        Assert.That(left.GetProperty("user").GetString(), Is.EqualTo("alice"));
        Assert.That(kept.Select(e => e.GetProperty("type").GetString()), Has.No.Member("error"), "no offline_target for a user with an inbox");
        Assert.That(welcome[0].GetProperty("type").GetString(), Is.EqualTo("users"));
    }
}
