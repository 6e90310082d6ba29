using Fleck.Chat.Identity;
using Fleck.Chat.Modes;
using Fleck.Chat.Tests.Identity;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Rooms;

/// <summary>Rooms with identities on one server: a user with several connections is one member of a room.</summary>
[CancelAfter(30_000)]
public sealed class RoomsIdentityTests
{
    [Test]
    public async Task A_user_with_two_connections_in_a_room_joins_it_once_and_leaves_it_with_the_last()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new RoomsMode(), new ChatServerOptions { Transport = new() { Authenticator = JwtAuthenticator.WithSecret(Tokens.Secret) } });

        var outcome = await OneUserInARoomScenario.RunAsync(async (_, name, token) =>
        {
            var client = await chat.ConnectAsync("/websocket?access_token=" + Tokens.For(name), token);
            await client.ReceiveEventAsync("users", token);
            return client;
        }, ct);

        OneUserInARoomScenario.Check(outcome);
    }
}
