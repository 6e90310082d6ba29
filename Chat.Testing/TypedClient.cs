using System.Net.WebSockets;
using System.Text;

namespace Fleck.Chat.Tests.Support;

/// <summary>A bare client that reports each message with its type (text or binary) and exact bytes, for tests where the type matters.</summary>
internal sealed class TypedClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();

    public static async Task<TypedClient> ConnectAsync(int port, string path, CancellationToken ct)
    {
        var client = new TypedClient();
        await client._socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}{path}"), ct);
        return client;
    }

    public Task SendBinaryAsync(byte[] data, CancellationToken ct) => _socket.SendAsync(data, WebSocketMessageType.Binary, true, ct);

    public Task SendTextAsync(string text, CancellationToken ct) => _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct);

    /// <summary>The next whole message.</summary>
    public async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveAsync(CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var r = await _socket.ReceiveAsync(buffer.AsMemory(), ct);
            if (r.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException($"Closed by the server: {_socket.CloseStatus} {_socket.CloseStatusDescription}");
            }
            message.Write(buffer, 0, r.Count);
            if (r.EndOfMessage)
            {
                return (r.MessageType, message.ToArray());
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
