using Fleck.Chat.Client.Tests.Support;
using Fleck.Chat.Tests.Identity;

namespace Fleck.Chat.Client.Tests;

/// <summary>Signing in with an access token, fixed or from a callback.</summary>
[CancelAfter(60_000)]
public sealed class TokenTests
{
    [Test]
    public async Task A_token_signs_in_as_its_name()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("nick-broadcast", ct, "--jwt-secret", Tokens.Secret);
        await using var anna = await EventLog.ConnectAsync(ClientHost.WithToken(Tokens.For("anna"), host.WebSocketPort), ct);

        Assert.That((await anna.WaitForAsync<UsersEvent>(ct)).You, Is.EqualTo("anna"));
    }

    [Test]
    public async Task The_token_callback_is_asked_once_to_connect()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("nick-broadcast", ct, "--jwt-secret", Tokens.Secret);
        var calls = 0;
        var options = ClientHost.As("x", host.WebSocketPort) with
        {
            Nickname = null,
            GetToken = _ => { Interlocked.Increment(ref calls); return ValueTask.FromResult(Tokens.For("anna")); },
        };
        await using var anna = await EventLog.ConnectAsync(options, ct);

        Assert.Multiple(async () =>
        {
            Assert.That((await anna.WaitForAsync<UsersEvent>(ct)).You, Is.EqualTo("anna"));
            Assert.That(calls, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_refused_token_fails_the_connect()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("nick-broadcast", ct, "--jwt-secret", Tokens.Secret);
        await using var anna = EventLog.Create(ClientHost.WithToken(Tokens.For("anna", secret: "another-secret-that-is-long-enough-for-hs256"), host.WebSocketPort));

        var error = await Assert.ThrowsAsync<ChatErrorException>(() => anna.Client.ConnectAsync(ct));

        Assert.That(error!.Code, Is.EqualTo("unauthorized"));
    }
}
