using System.Diagnostics;
using System.Globalization;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Browser.Tests.Support;

/// <summary>
/// A real redis-server on a free loopback port below the ephemeral range for one test, writing no files. Hosts share a chat
/// through it; disposing kills the process this test started (and only that one).
/// </summary>
internal sealed class RedisProcess : IDisposable
{
    private Process _process;

    private RedisProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>What a host's <c>--redis</c> takes: <c>127.0.0.1:port</c>.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisProcess> StartAsync()
    {
        var port = LoopbackPorts.Next();
        var process = await LaunchAsync(port);
        return new RedisProcess(process, port);
    }

    /// <summary>
    /// Kills redis-server and starts a new one on the same port: with nothing saved, it comes back
    /// empty, as a Redis without persistence does after a crash. The hosts stay up and reconnect.
    /// </summary>
    public async Task RestartEmptyAsync()
    {
        Dispose();
        _process = await LaunchAsync(Port);
    }

    private static async Task<Process> LaunchAsync(int port)
    {
        var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // An empty --save, given as its own argument, turns snapshots off.
        foreach (var arg in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no" })
        {
            start.ArgumentList.Add(arg);
        }
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"redis-server on port {port} exited while starting"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(TestTimeouts.Step);
            return process;
        }
        catch
        {
            Stop(process);
            throw;
        }
    }

    public void Dispose() => Stop(_process);

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already stopped and disposed (a restart that failed to start again).
        }
        process.Dispose();
    }
}
