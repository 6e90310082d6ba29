using Fleck.Chat.Modes;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Support;

/// <summary>Starts a chat server on an OS-chosen port and opens clients against it.</summary>
internal sealed class ChatFixture : IAsyncDisposable
{
    private readonly List<ChatClient> _clients = [];

    private ChatFixture(ChatServer server) => Server = server;

    public ChatServer Server { get; }

    public static async Task<ChatFixture> StartAsync(IChatMode mode, ChatServerOptions? options = null)
    {
        options ??= new ChatServerOptions();
        options = options with { Transport = options.Transport with { Port = 0 } };
        var server = new ChatServer(mode, options);
        await server.StartAsync();
        return new ChatFixture(server);
    }

    public async Task<ChatClient> ConnectAsync(string path, CancellationToken ct)
    {
        var client = await ChatClient.ConnectAsync(Server.Port, path, ct);
        lock (_clients)
        {
            _clients.Add(client);
        }
        return client;
    }

    /// <summary>Connects under a nickname and waits for the users event that confirms the login.</summary>
    public async Task<ChatClient> JoinAsync(string nickname, CancellationToken ct)
    {
        var client = await ConnectAsync("/websocket/" + Uri.EscapeDataString(nickname), ct);
        await client.ReceiveEventAsync("users", ct);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
        await Server.DisposeAsync();
    }
}
