using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Tests.Transport;

/// <summary>
/// What <see cref="WebSocketServer.ConnectionCount"/> (and so admission, health and statistics)
/// counts: a client from the moment it holds its 101 until its connection ended, not while its
/// close handler runs.
/// </summary>
[Parallelizable(ParallelScope.All)]
public sealed class ConnectionRegistryTests
{
    [Test]
    public async Task A_connection_has_left_the_count_when_its_close_handler_runs()
    {
        var ct = TestTimeouts.Token();
        var handler = new CloseProbe();
        await using var server = await StartAsync(new WebSocketServerOptions(), handler);
        var client = await RawWebSocketClient.ConnectAsync(server.Port, "/", ct);
        await handler.Opened.Task.WaitAsync(ct);

        await client.DisposeAsync();

        Assert.That(await handler.CountInCloseHandler.Task.WaitAsync(ct), Is.Zero);
    }

    [Test]
    public async Task A_slow_close_handler_neither_keeps_its_connection_counted_nor_holds_its_place_at_the_limit()
    {
        var ct = TestTimeouts.Token();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new CloseProbe { CloseHandlerWaitsFor = release.Task };
        await using var server = await StartAsync(new WebSocketServerOptions { MaxConnections = 1 }, handler);
        try
        {
            var first = await RawWebSocketClient.ConnectAsync(server.Port, "/", ct);
            await handler.Opened.Task.WaitAsync(ct);
            await first.DisposeAsync();
            await handler.CountInCloseHandler.Task.WaitAsync(ct);

            // The first close handler is still running (think of a backplane call that takes its time).
            Assert.That(server.ConnectionCount, Is.Zero);
            await using var second = await RawWebSocketClient.ConnectAsync(server.Port, "/", ct);
            Assert.That(server.ConnectionCount, Is.EqualTo(1), "the second client is admitted (its 101 arrived) and counted");
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Test]
    public async Task A_client_holding_its_101_is_already_counted()
    {
        var ct = TestTimeouts.Token();
        // The server logs "opened" right after it sends the 101; holding it there shows what a client
        // that has just read its 101 can observe, however quickly the server would move on otherwise.
        using var holdOpenedLog = new HoldingLoggerFactory(" opened ");
        var server = new WebSocketServer(new WebSocketServerOptions { Port = 0 }, new CloseProbe(), holdOpenedLog);
        await server.StartAsync(ct);
        try
        {
            await using var client = await RawWebSocketClient.ConnectAsync(server.Port, "/", ct);
            await holdOpenedLog.Held.Task.WaitAsync(ct);

            Assert.That(server.ConnectionCount, Is.EqualTo(1));
        }
        finally
        {
            holdOpenedLog.Release();
            await server.DisposeAsync();
        }
    }

    private static async Task<WebSocketServer> StartAsync(WebSocketServerOptions options, CloseProbe handler)
    {
        var server = new WebSocketServer(options with { Port = 0 }, handler);
        handler.Server = server;
        await server.StartAsync();
        return server;
    }

    private sealed class CloseProbe : IWebSocketHandler
    {
        public WebSocketServer? Server { get; set; }
        public Task CloseHandlerWaitsFor { get; init; } = Task.CompletedTask;
        public TaskCompletionSource Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource<int> CountInCloseHandler { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask OnOpenAsync(WebSocketConnection connection, CancellationToken cancellationToken)
        {
            Opened.TrySetResult();
            return ValueTask.CompletedTask;
        }

        public ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public async ValueTask OnCloseAsync(WebSocketConnection connection)
        {
            CountInCloseHandler.TrySetResult(Server?.ConnectionCount ?? -1);
            await CloseHandlerWaitsFor;
        }
    }

    /// <summary>Blocks the thread that logs a message containing a given text until released (or the step timeout).</summary>
    private sealed class HoldingLoggerFactory(string text) : ILoggerFactory, ILogger
    {
        private readonly ManualResetEventSlim _release = new();

        public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _release.Set();

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (formatter(state, exception).Contains(text, StringComparison.Ordinal) && Held.TrySetResult())
            {
                _release.Wait(TestTimeouts.Step);
            }
        }

        public void Dispose() => _release.Dispose();
    }
}
