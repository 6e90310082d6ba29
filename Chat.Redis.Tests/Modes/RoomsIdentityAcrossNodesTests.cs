using Fleck.Chat.Identity;
using Fleck.Chat.Modes;
using Fleck.Chat.Redis.Tests.Support;
using Fleck.Chat.Tests.Identity;
using Fleck.Chat.Tests.Rooms;

namespace Fleck.Chat.Redis.Tests.Modes;

/// <summary>Rooms with identities across nodes: a user connected to a room on two nodes is one member of it.</summary>
[CancelAfter(60_000)]
public sealed class RoomsIdentityAcrossNodesTests : SharedRedis
{
    [Test]
    public async Task A_user_in_a_room_on_two_nodes_joins_it_once_and_leaves_it_with_the_last_connection()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(50));
        var identified = new ChatServerOptions { Transport = new() { Authenticator = JwtAuthenticator.WithSecret(Tokens.Secret) } };
        await using var cluster = await ChatCluster.StartAsync(Redis, new RoomsMode(), 2, serverOptions: identified);

        var outcome = await OneUserInARoomScenario.RunAsync(async (node, name, token) =>
        {
            var client = await cluster[node].ConnectAsync("/websocket?access_token=" + Tokens.For(name), token);
            await client.ReceiveEventAsync("users", token);
            return client;
        }, ct);

        OneUserInARoomScenario.Check(outcome);
    }
}
