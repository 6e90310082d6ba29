using System.Diagnostics;
using Fleck.Chat.Tests.Support;
using StackExchange.Redis;

namespace Fleck.Chat.Redis.Tests.Support;

/// <summary>
/// A real redis-server on a free loopback port below the ephemeral range (so it gets it back after a restart), with no persistence, owned by the test: it can be
/// killed and started again on the same port, and it is always stopped at the end (SHUTDOWN NOSAVE,
/// falling back to killing our own process).
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    /// <summary><c>127.0.0.1:port</c>, the configuration a node connects with.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(LoopbackPorts.Next());
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>Starts redis-server again on the same port (after <see cref="Kill"/>); it starts empty.</summary>
    public Task RestartAsync() => StartProcessAsync();

    /// <summary>Kills the server without warning, as a crash would.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit(5000);
        }
        _process?.Dispose();
        _process = null;
    }

    /// <summary>A connection for the test itself, to look at keys (admin commands allowed).</summary>
    public Task<ConnectionMultiplexer> ConnectAdminAsync() =>
        ConnectionMultiplexer.ConnectAsync($"{Configuration},allowAdmin=true");

    public async ValueTask DisposeAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            Kill();
            return;
        }
        try
        {
            await using var admin = await ConnectAdminAsync();
            admin.GetServer(Configuration).Shutdown(ShutdownMode.Never);
        }
        catch (RedisException)
        {
            // The connection drops as the server exits; the wait below tells whether it did.
        }
        if (!process.WaitForExit(5000))
        {
            process.Kill();
        }
        Kill();
    }

    private async Task StartProcessAsync()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // ArgumentList keeps the empty --save value as its own argument: no snapshots, no files written.
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--save", "", "--appendonly", "no", "--daemonize", "no" })
        {
            start.ArgumentList.Add(arg);
        }
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"redis-server on port {Port} exited at start"));
        process.EnableRaisingEvents = true;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await ready.Task.WaitAsync(TestTimeouts.Step);
    }
}
