using System.Diagnostics;
using Fleck.Chat.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Fleck.Chat.Tests.Streams;

/// <summary>
/// The host process with its streams in memory (<c>"memory"</c>) or in a SQLite file (<c>"sqlite"</c>),
/// and what a test can see of them from outside: the <c>fleck_chat_streams</c> gauge, and the file's rows.
/// </summary>
internal sealed class StreamHost : IAsyncDisposable
{
    private readonly TemporaryFolder? _folder;
    private readonly HttpClient _http = new();

    private StreamHost(HostProcess host, TemporaryFolder? folder, string? file)
    {
        Host = host;
        _folder = folder;
        File = file;
    }

    public HostProcess Host { get; }

    /// <summary>The SQLite file; null for the memory store.</summary>
    public string? File { get; }

    public int Port => Host.WebSocketPort;

    public static async Task<StreamHost> StartAsync(string store, string mode, CancellationToken ct, params string[] extra)
    {
        TemporaryFolder? folder = store == "sqlite" ? new TemporaryFolder("fleck-streams-") : null;
        var file = folder?.File("chat.db");
        string[] storeArgs = file is null ? [] : ["--store", file];
        try
        {
            var host = await HostProcess.StartReadyAsync(ct, [.. HostProcess.OnLoopback(mode), "--rate", "0", .. storeArgs, .. extra]);
            return new StreamHost(host, folder, file);
        }
        catch
        {
            folder?.Dispose();
            throw;
        }
    }

    /// <summary>The streams the host holds now, from its <c>/metrics</c>.</summary>
    public async Task<double> StreamsAsync(CancellationToken ct)
    {
        var scrape = await PrometheusScrape.GetAsync(_http, $"http://127.0.0.1:{Host.HttpPort}/metrics", ct);
        return scrape.Value("fleck_chat_streams") ?? throw new InvalidOperationException("the host reports no fleck_chat_streams");
    }

    /// <summary>Waits until the host holds <paramref name="count"/> streams (expiry runs on its own clock, so it is watched).</summary>
    public async Task WaitForStreamsAsync(int count, CancellationToken ct)
    {
        while (await StreamsAsync(ct) != count)
        {
            await Task.Delay(100, ct);
        }
    }

    /// <summary>Rows of <paramref name="stream"/> in the file (its stream row plus its messages); 0 for the memory store.</summary>
    public long RowsOf(string stream) => File is null ? 0 : Count("SELECT (SELECT COUNT(*) FROM streams WHERE name = $n) + (SELECT COUNT(*) FROM entries WHERE stream = $n)", stream);

    /// <summary>Every stream row in the file; 0 for the memory store.</summary>
    public long StreamRows() => File is null ? 0 : Count("SELECT COUNT(*) FROM streams", null);

    /// <summary>
    /// The stream rows left in the file once there were none, or when <paramref name="within"/> ran
    /// out: the store writes behind, so a stream the host forgot leaves the file a moment later.
    /// </summary>
    public Task<long> StreamRowsOnceWrittenAsync(TimeSpan within, CancellationToken ct) => OnceNoneAsync(StreamRows, within, ct);

    /// <summary>As <see cref="StreamRowsOnceWrittenAsync"/>, for the rows of <paramref name="stream"/>.</summary>
    public Task<long> RowsOfOnceWrittenAsync(string stream, TimeSpan within, CancellationToken ct) => OnceNoneAsync(() => RowsOf(stream), within, ct);

    private static async Task<long> OnceNoneAsync(Func<long> rowsNow, TimeSpan within, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        var rows = rowsNow();
        while (rows != 0 && deadline.Elapsed < within)
        {
            await Task.Delay(100, ct);
            rows = rowsNow();
        }
        return rows;
    }

    private long Count(string sql, string? stream)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = File, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (stream is not null)
        {
            command.Parameters.AddWithValue("$n", stream);
        }
        return (long)command.ExecuteScalar()!;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Host.DisposeAsync();
        _folder?.Dispose();
    }
}
