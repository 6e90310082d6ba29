using Fleck.Chat.Client.Tests.Support;
using Fleck.Chat.Tests.Identity;

namespace Fleck.Chat.Client.Tests;

/// <summary>Token refresh on the live connection (SPEC Part 3, "Token refresh on a live connection").</summary>
[CancelAfter(60_000)]
public sealed class RefreshTests
{
    [Test]
    public async Task A_token_renewed_before_it_expires_keeps_the_connection_open()
    {
        var ct = TestTimeouts.Token(TestTimeouts.Recovery);
        await using var host = await ClientHost.StartAsync("nick-broadcast", ct, "--jwt-secret", Tokens.Secret);
        var calls = 0;
        var options = ClientHost.As("x", host.WebSocketPort) with
        {
            Nickname = null,
            // The first token lives 12 s (renewed about 4 s before its exp, room for a loaded machine);
            // the next ones ten minutes.
            GetToken = _ => ValueTask.FromResult(Interlocked.Increment(ref calls) == 1
                ? Tokens.For("anna", TimeSpan.FromSeconds(12))
                : Tokens.For("anna")),
        };
        await using var anna = await EventLog.ConnectAsync(options, ct);
        // A witness whose token ends a second after anna's first one: once the server has closed it
        // (4401), it would have closed anna's connection too had the refresh not worked.
        await using var witness = await TypedClient.ConnectSignedInAsync(host.WebSocketPort, Tokens.For("witness", TimeSpan.FromSeconds(13)), ct);
        await witness.Closed.Task.WaitAsync(ct);
        await using var ben = await TypedClient.ConnectSignedInAsync(host.WebSocketPort, Tokens.For("ben"), ct);

        await ben.SendJsonAsync(new { msg = "marker" }, ct);
        await anna.WaitForAsync<MessageEvent>(e => e.Message.Text == "marker", ct);

        Assert.Multiple(() =>
        {
            Assert.That((int?)witness.CloseStatus, Is.EqualTo(4401));
            Assert.That(calls, Is.GreaterThanOrEqualTo(2));
            Assert.That(anna.Seen.OfType<StateChangedEvent>().Select(e => e.State), Does.Not.Contain(ChatClientState.Reconnecting));
            Assert.That(anna.Seen.OfType<UsersEvent>().Count(), Is.EqualTo(1), "signed in once");
        });
    }
}
