using System.Net;
using System.Net.WebSockets;
using System.Text;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Transport;

public sealed class EchoTests
{
    [TestCase(0)]
    [TestCase(125)]
    [TestCase(126)]
    [TestCase(65535)]
    [TestCase(65536)]
    [TestCase(1024 * 1024)]
    public async Task Text_message_of_any_size_up_to_the_limit_is_echoed_intact(int size)
    {
        var handler = new EchoHandler();
        await using var server = new WebSocketServer(new WebSocketServerOptions { Port = 0, MaxMessageBytes = 2 * 1024 * 1024 }, handler);
        await server.StartAsync();
        using var client = new ClientWebSocket();
        var ct = TestTimeouts.Token();
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/echo"), ct);
        var text = new string('x', size);
        await client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct);
        var received = await ReceiveTextAsync(client, ct);
        Assert.That(received, Is.EqualTo(text));
    }

    internal static async Task<string> ReceiveTextAsync(WebSocket client, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        using var ms = new MemoryStream();
        ValueWebSocketReceiveResult r;
        do
        {
            r = await client.ReceiveAsync(buffer.AsMemory(), ct);
            ms.Write(buffer, 0, r.Count);
        }
        while (!r.EndOfMessage);
        return Encoding.UTF8.GetString(ms.ToArray());
    }
}
