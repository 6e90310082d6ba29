using System.Net.WebSockets;
using Fleck.Chat.Modes;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Modes;

/// <summary>A third party plugs in its own strategy through the public API alone: <see cref="IChatMode"/>, <see cref="ChatMember"/>, <see cref="IChatRoom"/>.</summary>
[CancelAfter(30_000)]
public sealed class CustomModeTests
{
    /// <summary>Passes each message, upper-cased, to everyone else through the room; the sender gets a receipt.</summary>
    private sealed class ShoutMode : IChatMode
    {
        public string Name => "shout";

        public bool AcceptsPath(string path) => path == "/shout";

        public async ValueTask OnConnectedAsync(ChatMember member, IChatRoom room, CancellationToken cancellationToken) =>
            await room.TryJoinAsync(member, nickname: null, cancellationToken);

        public ValueTask OnMessageAsync(ChatMember member, WebSocketMessage message, IChatRoom room, CancellationToken cancellationToken)
        {
            room.SendToAllExcept(member, OutgoingMessage.Text(message.GetText().ToUpperInvariant()));
            member.Send(OutgoingMessage.Text("sent"));
            return ValueTask.CompletedTask;
        }

        public ValueTask OnDisconnectedAsync(ChatMember member, IChatRoom room) => ValueTask.CompletedTask;
    }

    /// <summary>What <see cref="GreeterMode"/> keeps per member.</summary>
    private sealed class Visitor(string name)
    {
        public string Name { get; } = name;

        public int Messages { get; set; }
    }

    /// <summary>
    /// Greets each member by the name in its query string, with the facts of its request; keeps a
    /// count of its messages in the member's state; closes it with a code of its own on "bye".
    /// </summary>
    private sealed class GreeterMode : IChatMode
    {
        public const int GoodbyeCode = 4321;

        public string Name => "greeter";

        public bool AcceptsPath(string path) => path == "/greet";

        public async ValueTask OnConnectedAsync(ChatMember member, IChatRoom room, CancellationToken cancellationToken)
        {
            var name = member.Query.StartsWith("name=", StringComparison.Ordinal) ? Uri.UnescapeDataString(member.Query[5..]) : "stranger";
            member.State = new Visitor(name);
            await room.TryJoinAsync(member, nickname: null, cancellationToken);
            member.Send(OutgoingMessage.Text($"hello {name} at {member.Headers["Host"]}{member.Path} from {member.RemoteEndPoint?.Address}, secure: {member.IsSecure}"));
        }

        public async ValueTask OnMessageAsync(ChatMember member, WebSocketMessage message, IChatRoom room, CancellationToken cancellationToken)
        {
            var visitor = (Visitor)member.State!;
            visitor.Messages++;
            member.Send(OutgoingMessage.Text($"{visitor.Name} #{visitor.Messages}: {message.GetText()}"));
            if (message.GetText() == "bye")
            {
                await member.CloseAsync(GoodbyeCode, $"goodbye {visitor.Name}", cancellationToken);
            }
        }

        public ValueTask OnDisconnectedAsync(ChatMember member, IChatRoom room) => ValueTask.CompletedTask;
    }

    [Test]
    public async Task A_custom_mode_answers_through_the_room_api_to_everyone_but_the_sender()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new ShoutMode());
        var a = await chat.ConnectAsync("/shout", ct);
        var b = await chat.ConnectAsync("/shout", ct);
        var c = await chat.ConnectAsync("/shout", ct);
        await chat.WaitForMembersAsync(3, ct);

        await a.SendTextAsync("hello", ct);
        Assert.That(await b.ReceiveTextAsync(ct), Is.EqualTo("HELLO"));
        Assert.That(await c.ReceiveTextAsync(ct), Is.EqualTo("HELLO"));
        Assert.That(await a.ReceiveTextAsync(ct), Is.EqualTo("sent"));
        await b.SendTextAsync("bye", ct);

        // a's next message is b's: the room left the sender out of its own shout.
        Assert.That(await a.ReceiveTextAsync(ct), Is.EqualTo("BYE"));
        Assert.That(await c.ReceiveTextAsync(ct), Is.EqualTo("BYE"));
        Assert.That(await b.ReceiveTextAsync(ct), Is.EqualTo("sent"));
    }

    [Test]
    public async Task A_custom_mode_keeps_its_own_state_built_from_the_request_across_messages_and_closes_with_its_own_code()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new GreeterMode());
        var ann = await chat.ConnectAsync("/greet?name=ann", ct);
        var bob = await chat.ConnectAsync("/greet?name=bob", ct);

        Assert.That(await ann.ReceiveTextAsync(ct), Is.EqualTo($"hello ann at 127.0.0.1:{chat.Server.Port}/greet from 127.0.0.1, secure: False"));
        Assert.That(await bob.ReceiveTextAsync(ct), Does.StartWith("hello bob at "));
        foreach (var text in new[] { "one", "two", "three" })
        {
            await ann.SendTextAsync(text, ct);
            await bob.SendTextAsync(text, ct);
        }
        await ann.SendTextAsync("bye", ct);

        Assert.That(new[] { await ann.ReceiveTextAsync(ct), await ann.ReceiveTextAsync(ct), await ann.ReceiveTextAsync(ct), await ann.ReceiveTextAsync(ct) },
            Is.EqualTo(new[] { "ann #1: one", "ann #2: two", "ann #3: three", "ann #4: bye" }));
        Assert.That(new[] { await bob.ReceiveTextAsync(ct), await bob.ReceiveTextAsync(ct), await bob.ReceiveTextAsync(ct) },
            Is.EqualTo(new[] { "bob #1: one", "bob #2: two", "bob #3: three" }));
        await ann.Closed.Task.WaitAsync(ct);
        Assert.That((int?)ann.CloseStatus, Is.EqualTo(GreeterMode.GoodbyeCode));
        Assert.That(ann.CloseDescription, Is.EqualTo("goodbye ann"));
        Assert.That(bob.State, Is.EqualTo(WebSocketState.Open));
    }

    [Test]
    public async Task Paths_the_mode_does_not_accept_are_refused_with_404()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new ShoutMode());

        var ex = await Assert.CatchAsync<WebSocketException>(async () => await chat.ConnectAsync("/websocket", ct));

        Assert.That(ex!.Message, Does.Contain("404"));
    }
}
