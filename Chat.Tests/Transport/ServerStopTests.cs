using System.Net.Sockets;
using Fleck.Chat.Modes;
using Fleck.Chat.Scaling;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Transport;

/// <summary>Stopping and failed starts finish their cleanup, whatever the close handlers or the bind do.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class ServerStopTests
{
    private static ChatServerOptions Options(IChatBackplane backplane, int port = 0) => new()
    {
        Backplane = backplane,
        Transport = new WebSocketServerOptions { Port = port, CloseTimeout = TimeSpan.FromMilliseconds(300) },
    };

    [Test]
    public async Task Stopping_finishes_and_leaves_the_backplane_when_a_close_handler_never_returns()
    {
        var ct = TestTimeouts.Token();
        var backplane = new RecordingBackplane();
        var mode = new LeavingMode();
        await using var chat = new ChatServer(mode, Options(backplane));
        await chat.StartAsync(ct);
        await using var client = await TypedClient.ConnectAsync(chat.Port, "/", ct);
        await mode.Connected.Task.WaitAsync(ct);
        try
        {
            await chat.StopAsync(ct).WaitAsync(ct);

            Assert.That(mode.Disconnecting.Task.IsCompleted, Is.True, "the close handler had started, and is still running");
            Assert.That(backplane.Disposed.Task.IsCompleted, Is.True);
        }
        finally
        {
            mode.Leave.TrySetResult();
        }
    }

    [Test]
    public async Task Stopping_finishes_and_leaves_the_backplane_when_a_close_handler_throws()
    {
        var ct = TestTimeouts.Token();
        var backplane = new RecordingBackplane();
        var mode = new LeavingMode();
        mode.Leave.SetException(new InvalidOperationException("the close handler failed"));
        await using var chat = new ChatServer(mode, Options(backplane));
        await chat.StartAsync(ct);
        await using var client = await TypedClient.ConnectAsync(chat.Port, "/", ct);
        await mode.Connected.Task.WaitAsync(ct);

        await chat.StopAsync(ct).WaitAsync(ct);

        Assert.That(mode.Disconnecting.Task.IsCompleted, Is.True);
        Assert.That(backplane.Disposed.Task.IsCompleted, Is.True);
        Assert.That(chat.GetStatistics().Connections, Is.Zero);
    }

    [Test]
    public async Task A_busy_port_on_start_leaves_the_backplane_it_had_joined()
    {
        await using var first = await EchoServer.StartAsync();
        var backplane = new RecordingBackplane();
        await using var chat = new ChatServer(new LeavingMode(), Options(backplane, first.Port));

        var ex = await Assert.ThrowsAsync<SocketException>(() => chat.StartAsync());

        Assert.That(ex!.SocketErrorCode, Is.EqualTo(SocketError.AddressAlreadyInUse));
        Assert.That(backplane.Connected, Is.True, "it had joined");
        Assert.That(backplane.Disposed.Task.IsCompleted, Is.True, "and left");
    }

    /// <summary>Joins the room; leaving waits for (or fails with) <see cref="Leave"/>.</summary>
    private sealed class LeavingMode : IChatMode
    {
        public TaskCompletionSource Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Disconnecting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Leave { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "leaving";

        public bool AcceptsPath(string path) => true;

        public async ValueTask OnConnectedAsync(ChatMember member, IChatRoom room, CancellationToken cancellationToken)
        {
            await room.TryJoinAsync(member, nickname: null, cancellationToken);
            Connected.TrySetResult();
        }

        public ValueTask OnMessageAsync(ChatMember member, WebSocketMessage message, IChatRoom room, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public async ValueTask OnDisconnectedAsync(ChatMember member, IChatRoom room)
        {
            Disconnecting.TrySetResult();
            await Leave.Task;
        }
    }

    /// <summary>An <see cref="InMemoryBackplane"/> that records whether it was joined and left.</summary>
    private sealed class RecordingBackplane : ForwardingBackplane
    {
        public bool Connected { get; private set; }
        public TaskCompletionSource Disposed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override Task ConnectAsync(IBackplaneNode node, CancellationToken cancellationToken)
        {
            Connected = true;
            return Inner.ConnectAsync(node, cancellationToken);
        }

        public override async ValueTask DisposeAsync()
        {
            await Inner.DisposeAsync();
            Disposed.TrySetResult();
        }
    }
}
