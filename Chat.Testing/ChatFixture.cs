using Fleck.Chat.Modes;

namespace Fleck.Chat.Tests.Support;

/// <summary>
/// A chat server run in the test process on an OS-chosen port, and the clients a test opens against
/// it, which are closed with it. A subclass adds what the server runs over (a Redis backplane).
/// </summary>
internal class ChatFixture : IAsyncDisposable
{
    private readonly List<TypedClient> _clients = [];
    private int _disposed;

    protected ChatFixture(ChatServer server) => Server = server;

    public ChatServer Server { get; }

    public static async Task<ChatFixture> StartAsync(IChatMode mode, ChatServerOptions? options = null) =>
        new(await StartServerAsync(mode, options));

    /// <summary>Starts a server with <paramref name="options"/>, on port 0 whatever they say, within one test step.</summary>
    protected static async Task<ChatServer> StartServerAsync(IChatMode mode, ChatServerOptions? options)
    {
        options ??= new ChatServerOptions();
        var server = new ChatServer(mode, options with { Transport = options.Transport with { Port = 0 } });
        try
        {
            await server.StartAsync(TestTimeouts.Token());
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    public async Task<TypedClient> ConnectAsync(string path, CancellationToken ct)
    {
        var client = await TypedClient.ConnectAsync(Server.Port, path, ct);
        lock (_clients)
        {
            _clients.Add(client);
        }
        return client;
    }

    /// <summary>Connects under a nickname and waits for the users event that confirms the login.</summary>
    public async Task<TypedClient> JoinAsync(string nickname, CancellationToken ct)
    {
        var client = await ConnectAsync("/websocket/" + Uri.EscapeDataString(nickname), ct);
        await client.ReceiveEventAsync("users", ct);
        return client;
    }

    /// <summary>
    /// Connects to broadcast mode and waits until the server counts the client as a member: the
    /// handshake completes before the room admits it, and this mode sends no welcome to wait for.
    /// </summary>
    public async Task<TypedClient> ConnectAnonymousAsync(CancellationToken ct)
    {
        var before = Server.GetStatistics().Members;
        var client = await ConnectAsync("/websocket", ct);
        await WaitForMembersAsync(members => members > before, ct);
        return client;
    }

    /// <summary>Waits until the server counts exactly <paramref name="count"/> members.</summary>
    public Task WaitForMembersAsync(int count, CancellationToken ct) => WaitForMembersAsync(members => members == count, ct);

    /// <summary>
    /// Waits until the server counts exactly <paramref name="count"/> connections: a connection is
    /// counted until its close handling, chat events included, has finished.
    /// </summary>
    public Task WaitForConnectionsAsync(int count, CancellationToken ct) => WaitForAsync(s => s.Connections == count, ct);

    private Task WaitForMembersAsync(Func<int, bool> settled, CancellationToken ct) => WaitForAsync(s => settled(s.Members), ct);

    private async Task WaitForAsync(Func<ChatStatistics, bool> settled, CancellationToken ct)
    {
        // Membership changes on the server's side of the socket and raises no event a test can see:
        // poll the counters, as often as is cheap, until they settle or the token ends the test.
        while (!settled(Server.GetStatistics()))
        {
            await Task.Delay(10, ct);
        }
    }

    /// <summary>Releases what a subclass started besides the server; runs after the server has stopped.</summary>
    protected virtual ValueTask DisposeResourcesAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        List<TypedClient> clients;
        lock (_clients)
        {
            clients = [.. _clients];
        }
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
        await Server.DisposeAsync();
        await DisposeResourcesAsync();
        GC.SuppressFinalize(this);
    }
}
