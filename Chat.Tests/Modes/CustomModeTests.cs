using Fleck.Chat.Modes;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Modes;

/// <summary>A third party plugs in its own strategy: a shouting echo that only answers the sender.</summary>
[CancelAfter(30_000)]
public sealed class CustomModeTests
{
    private sealed class ShoutingEchoMode : IChatMode
    {
        public string Name => "shout";

        public bool AcceptsPath(string path) => path == "/shout";

        public async ValueTask OnConnectedAsync(ChatMember member, IChatRoom room, CancellationToken cancellationToken) =>
            await room.TryJoinAsync(member, nickname: null, cancellationToken);

        public ValueTask OnMessageAsync(ChatMember member, WebSocketMessage message, IChatRoom room, CancellationToken cancellationToken)
        {
            member.Send(OutgoingMessage.Text(message.GetText().ToUpperInvariant()));
            return ValueTask.CompletedTask;
        }

        public ValueTask OnDisconnectedAsync(ChatMember member, IChatRoom room) => ValueTask.CompletedTask;
    }

    [Test]
    public async Task A_custom_mode_receives_the_connection_and_answers_through_the_room_api()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new ShoutingEchoMode());
        var a = await chat.ConnectAsync("/shout", ct);
        var b = await chat.ConnectAsync("/shout", ct);

        await a.SendTextAsync("hello", ct);
        await b.SendTextAsync("bye", ct);

        Assert.That(await a.ReceiveTextAsync(ct), Is.EqualTo("HELLO"));
        Assert.That(await b.ReceiveTextAsync(ct), Is.EqualTo("BYE"));
    }

    [Test]
    public async Task Paths_the_mode_does_not_accept_are_refused_with_404()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new ShoutingEchoMode());

        var ex = await Assert.CatchAsync<System.Net.WebSockets.WebSocketException>(async () => await chat.ConnectAsync("/websocket", ct));

        Assert.That(ex!.Message, Does.Contain("404"));
    }
}
