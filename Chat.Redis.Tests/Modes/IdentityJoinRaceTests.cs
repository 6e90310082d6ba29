using System.Text.Json;
using Fleck.Chat.Identity;
using Fleck.Chat.Modes;
using Fleck.Chat.Redis.Tests.Support;
using Fleck.Chat.Tests.Identity;

namespace Fleck.Chat.Redis.Tests.Modes;

/// <summary>
/// One identified user connecting to two nodes, or leaving both, at the same moment: the chat hears
/// of it once. The nodes are made to claim (and release) the user's shares at the same moment, so
/// a decision taken apart from the claim itself would be taken by both nodes alike.
/// </summary>
[CancelAfter(90_000)]
public sealed class IdentityJoinRaceTests : SharedRedis
{
    private static readonly ChatServerOptions Identified = new() { Transport = new() { Authenticator = JwtAuthenticator.WithSecret(Tokens.Secret) } };

    private static async Task<TypedClient> SignInAsync(ChatNode node, string name, CancellationToken ct)
    {
        var client = await node.ConnectAsync("/websocket?access_token=" + Tokens.For(name), ct);
        await client.ReceiveEventAsync("users", ct);
        return client;
    }

    [Test]
    public async Task A_user_joining_two_nodes_at_once_is_announced_once_and_leaving_both_at_once_once()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(80));
        var gate = new SharedClaimRendezvous("alice", nodes: 2) { Token = ct };
        await using var cluster = await ChatCluster.StartAsync(Redis, new NickBroadcastMode(), 0, serverOptions: Identified);
        var first = await cluster.AddNodeAsync(wrap: gate.Wrap);
        var second = await cluster.AddNodeAsync(wrap: gate.Wrap);
        var watching = await cluster.AddNodeAsync();
        var bob = await SignInAsync(watching, "bob", ct);

        var connections = await Task.WhenAll(SignInAsync(first, "alice", ct), SignInAsync(second, "alice", ct));
        // Both connections are in once each has spoken. (Their join may still trail the messages:
        // joins travel on the chat's broadcast channel, messages on its numbered stream's.)
        await connections[0].SendTextAsync("on the first node", ct);
        await connections[1].SendTextAsync("on the second node", ct);
        var untilMessages = await ReceiveUntilAsync(bob, 2, e => Type(e) == "message", ct);

        await Task.WhenAll(connections[0].CloseAsync(ct), connections[1].CloseAsync(ct));
        // A stopped node has finished handling its closed connections and sent what they caused;
        // a join from a node started after that reaches bob on the same channel as alice's joins
        // and leaves, behind all of them.
        await first.DisposeAsync();
        await second.DisposeAsync();
        var marker = await cluster.AddNodeAsync();
        await SignInAsync(marker, "carol", ct);
        var untilMarker = await ReceiveUntilAsync(bob, 1, e => Type(e) == "join" && User(e) == "carol", ct);

        var seen = untilMessages.Concat(untilMarker).ToList();
        Assert.That(seen.Count(e => Type(e) == "join" && User(e) == "alice"), Is.EqualTo(1), "alice's join, exactly once");
        Assert.That(seen.Count(e => Type(e) == "leave" && User(e) == "alice"), Is.EqualTo(1), "alice's leave, exactly once");
    }

    private static async Task<List<JsonElement>> ReceiveUntilAsync(TypedClient client, int count, Func<JsonElement, bool> marker, CancellationToken ct)
    {
        var seen = new List<JsonElement>();
        while (seen.Count(marker) < count)
        {
            seen.Add(await client.ReceiveEventAsync(ct));
        }
        return seen;
    }

    private static string? Type(JsonElement e) => e.GetProperty("type").GetString();

    private static string? User(JsonElement e) => e.TryGetProperty("user", out var u) ? u.GetString() : null;
}
