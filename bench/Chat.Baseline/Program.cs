// The comparison baseline: the broadcast relay a careful ASP.NET Core developer would write.
// Kestrel + UseWebSockets, one bounded channel and one writer loop per client; a client whose
// channel is full is disconnected, as in our broadcast mode. Same path, same semantics.
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Threading.Channels;

var host = "127.0.0.1";
var port = 8182;
for (var i = 0; i + 1 < args.Length; i++)
{
    switch (args[i])
    {
        case "--host": host = args[++i]; break;
        case "--port": port = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
    }
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://{host}:{port}");
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxConcurrentConnections = null);
var app = builder.Build();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });

var clients = new ConcurrentDictionary<long, Channel<byte[]>>();
long nextId = 0;

app.Map("/websocket", async context =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = 400;
        return;
    }
    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    var id = Interlocked.Increment(ref nextId);
    var outbox = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(4096) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    clients[id] = outbox;
    var writer = Task.Run(async () =>
    {
        await foreach (var message in outbox.Reader.ReadAllAsync())
        {
            await socket.SendAsync(message, WebSocketMessageType.Text, true, CancellationToken.None);
        }
    });
    var buffer = new byte[64 * 1024];
    try
    {
        while (true)
        {
            var length = 0;
            ValueWebSocketReceiveResult r;
            do
            {
                r = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                length += r.Count;
            }
            while (!r.EndOfMessage && length < buffer.Length);
            if (r.MessageType == WebSocketMessageType.Close)
            {
                break;
            }
            var message = buffer.AsSpan(0, length).ToArray();
            foreach (var (otherId, other) in clients)
            {
                if (!other.Writer.TryWrite(message))
                {
                    // A full channel means a reader that stopped reading: drop it, like our server does.
                    other.Writer.TryComplete();
                    clients.TryRemove(otherId, out _);
                }
            }
        }
    }
    catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
    {
    }
    finally
    {
        clients.TryRemove(id, out _);
        outbox.Writer.TryComplete();
        try
        {
            await writer;
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }
});

await app.StartAsync();
Console.WriteLine($"listening on ws://{host}:{port}/websocket");
await app.WaitForShutdownAsync();
