using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Support;

/// <summary>An echo WebSocketServer on an OS-chosen port, for transport tests.</summary>
internal sealed class EchoServer : IAsyncDisposable
{
    private EchoServer(WebSocketServer server, EchoHandler handler)
    {
        Server = server;
        Handler = handler;
    }

    public WebSocketServer Server { get; }
    public EchoHandler Handler { get; }
    public int Port => Server.Port;

    public static async Task<EchoServer> StartAsync(WebSocketServerOptions? options = null, EchoHandler? handler = null)
    {
        handler ??= new EchoHandler();
        var server = new WebSocketServer((options ?? new WebSocketServerOptions()) with { Port = 0 }, handler);
        await server.StartAsync();
        return new EchoServer(server, handler);
    }

    public Task<RawWebSocketClient> ConnectRawAsync(CancellationToken ct, string path = "/echo", string extraHeaders = "") =>
        RawWebSocketClient.ConnectAsync(Port, path, ct, extraHeaders);

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
