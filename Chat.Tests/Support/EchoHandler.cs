using System.Collections.Concurrent;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Support;

/// <summary>Echoes every message back to its sender and records what happened, for transport tests.</summary>
internal sealed class EchoHandler : IWebSocketHandler
{
    public ConcurrentQueue<WebSocketConnection> Opened { get; } = new();
    public TaskCompletionSource<WebSocketConnection> FirstOpened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource<WebSocketConnection> FirstClosed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public Func<string, bool> PathFilter { get; init; } = p => p == "/echo" || p.StartsWith("/echo/", StringComparison.Ordinal);

    public bool AcceptsPath(string path) => PathFilter(path);

    public ValueTask OnOpenAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        Opened.Enqueue(connection);
        FirstOpened.TrySetResult(connection);
        return ValueTask.CompletedTask;
    }

    public ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message, CancellationToken cancellationToken)
    {
        connection.Send(message.IsText ? OutgoingMessage.Text(message.Data.Span) : OutgoingMessage.Binary(message.Data.Span));
        return ValueTask.CompletedTask;
    }

    public ValueTask OnCloseAsync(WebSocketConnection connection)
    {
        FirstClosed.TrySetResult(connection);
        return ValueTask.CompletedTask;
    }
}
