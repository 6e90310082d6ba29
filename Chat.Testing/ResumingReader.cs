using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;

namespace Fleck.Chat.Tests.Support;

/// <summary>
/// A nick-broadcast client that keeps dropping its connection and coming back with
/// <c>?since=&lt;last offset&gt;&amp;epoch=&lt;epoch&gt;</c>, the way a page does after a network
/// hiccup, and records every offset it was sent (history and live, in arrival order) and the
/// outcome of each resume.
/// </summary>
internal sealed class ResumingReader
{
    private readonly List<long> _offsets = [];
    /// <summary>The close code of a connection refused because the chat could not be reached.</summary>
    private const int Unavailable = 4003;

    private readonly List<bool> _resumes = [];

    /// <summary>Every message and history offset received, in order, over every connection.</summary>
    public IReadOnlyList<long> Offsets => _offsets;

    /// <summary>The <c>recovered</c> flag of each resume, in order.</summary>
    public IReadOnlyList<bool> Resumes => _resumes;

    /// <summary>The epoch of the first <c>users</c> event.</summary>
    public string? Epoch { get; private set; }

    /// <summary>Every epoch the <c>users</c> events named (one, unless the stream lost its history).</summary>
    public HashSet<string> Epochs { get; } = new(StringComparer.Ordinal);

    /// <summary>Connections the server refused (<c>unavailable</c>) before their <c>users</c> event, each made again.</summary>
    public int JoinsRefused { get; private set; }

    public long Last => _offsets.Count == 0 ? 0 : _offsets[^1];

    /// <summary>The query a page would resume with; empty before anything was seen.</summary>
    public string ResumeQuery => Epoch is null ? "" : string.Create(CultureInfo.InvariantCulture, $"?since={Last}&epoch={Uri.EscapeDataString(Epoch)}");

    /// <summary>
    /// Connects (through <paramref name="connect"/>, given the query to add to the path), reads the
    /// <c>users</c> event, the history and (when resuming) the <c>recovered</c> event; returns the
    /// open client, whose live messages <see cref="ReadLiveAsync"/> then takes.
    /// </summary>
    public async Task<TypedClient> ConnectAsync(Func<string, CancellationToken, Task<TypedClient>> connect, CancellationToken ct)
    {
        var resuming = Epoch is not null;
        var (client, users) = await JoinAsync(connect, ct);
        var epoch = users.GetProperty("epoch").GetString()!;
        Epoch ??= epoch;
        Epochs.Add(epoch);
        if (!resuming)
        {
            return client;
        }
        while (true)
        {
            var e = await client.ReceiveEventAsync(ct);
            switch (e.GetProperty("type").GetString())
            {
                case "history" or "message":
                    _offsets.Add(e.GetProperty("offset").GetInt64());
                    break;
                case "recovered":
                    _resumes.Add(e.GetProperty("recovered").GetBoolean());
                    return client;
            }
        }
    }

    /// <summary>
    /// Connects and reads the <c>users</c> event; when the server closes instead (<c>unavailable</c>:
    /// the stream could not be reached, as for a moment under heavy load), comes back, as a page does.
    /// </summary>
    private async Task<(TypedClient Client, JsonElement Users)> JoinAsync(Func<string, CancellationToken, Task<TypedClient>> connect, CancellationToken ct)
    {
        while (true)
        {
            var client = await connect(ResumeQuery, ct);
            try
            {
                return (client, await client.ReceiveEventAsync("users", ct));
            }
            catch (Exception ex) when (ex is not OperationCanceledException && client.CloseStatus == (WebSocketCloseStatus)Unavailable)
            {
                await client.DisposeAsync();
                JoinsRefused++;
                await Task.Delay(100, ct);
            }
        }
    }

    /// <summary>Takes live messages until <paramref name="count"/> more arrived or offset <paramref name="until"/> was seen.</summary>
    public async Task ReadLiveAsync(TypedClient client, int count, long until, CancellationToken ct)
    {
        for (var i = 0; i < count && Last < until; i++)
        {
            var e = await client.ReceiveEventAsync("message", ct);
            _offsets.Add(e.GetProperty("offset").GetInt64());
        }
    }

    /// <summary>
    /// Reads the whole stream up to offset <paramref name="total"/>, dropping the connection
    /// (abort, no close handshake) every <paramref name="perConnection"/> live messages.
    /// <paramref name="connect"/> gets the connection's number and the query; it may pick a node by it.
    /// </summary>
    public async Task<int> ReadAllAsync(Func<int, string, CancellationToken, Task<TypedClient>> connect, long total, int perConnection, CancellationToken ct)
    {
        var connections = 0;
        while (Last < total)
        {
            var number = connections++;
            var client = await ConnectAsync((query, token) => connect(number, query, token), ct);
            try
            {
                await ReadLiveAsync(client, perConnection, total, ct);
            }
            finally
            {
                client.Abort();
                await client.DisposeAsync();
            }
        }
        return connections;
    }

    /// <summary>The offset of a <c>message</c> or <c>history</c> event.</summary>
    public static long OffsetOf(JsonElement e) => e.GetProperty("offset").GetInt64();
}
