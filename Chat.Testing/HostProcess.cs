using System.Diagnostics;
using System.Text;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Fleck.Chat.Tests.Support;

/// <summary>
/// Runs the real Chat.Host program as a child process, the way a user starts it, and reads its
/// banner to learn the ports. Stops it with SIGTERM (or kills it) on dispose.
/// </summary>
internal sealed partial class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<string> _banner = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HostProcess(Process process) => _process = process;

    public int Pid => _process.Id;
    public int HttpPort { get; private set; }
    public int WebSocketPort { get; private set; }
    public string Stdout { get { lock (_stdout) { return _stdout.ToString(); } } }
    /// <summary>
    /// What the host wrote to stderr, without its warning that the descriptor limit is below what
    /// its default connection limits need: a test machine's limit (often 1,024 or 20,000) usually is,
    /// and that line is the subject of the descriptor tests only, which read <see cref="AllStderr"/>.
    /// </summary>
    public string Stderr => string.Concat(AllStderr.Split('\n').Where(line => line.Length > 0 && !line.StartsWith(DescriptorWarning, StringComparison.Ordinal)).Select(line => line + "\n"));

    /// <summary>Everything the host wrote to stderr.</summary>
    public string AllStderr { get { lock (_stderr) { return _stderr.ToString(); } } }

    /// <summary>How the host's descriptor warning starts (Chat.Host's DescriptorBudget).</summary>
    public const string DescriptorWarning = "warning: only ";

    public Process Process => _process;

    /// <summary>Path of the built host next to the test assembly.</summary>
    public static string HostDll => Path.Combine(AppContext.BaseDirectory, "Chat.Host.dll");

    /// <summary>A native (AOT) build of the host to run instead of the built one, when FLECK_CHAT_HOST_BINARY names it.</summary>
    public static string? NativeHost => Environment.GetEnvironmentVariable("FLECK_CHAT_HOST_BINARY") is { Length: > 0 } path ? path : null;

    public static HostProcess Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <summary>
    /// Starts the host with extra environment variables. The API key variable is never inherited
    /// from the test run, so a host has an API key only when a test gives it one.
    /// </summary>
    public static HostProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Start(environment, openFiles: null, args);

    /// <summary>
    /// Starts the host through bash with its soft limit on open files set to <paramref name="openFiles"/>
    /// (<c>ulimit -n</c>); bash then replaces itself with the host, so <see cref="Pid"/> is the host's.
    /// </summary>
    public static HostProcess StartWithOpenFileLimit(int openFiles, params string[] args) =>
        Start(new Dictionary<string, string>(), openFiles, args);

    private static HostProcess Start(IReadOnlyDictionary<string, string> environment, int? openFiles, string[] args)
    {
        var program = NativeHost ?? "dotnet";
        var info = new ProcessStartInfo(openFiles is null ? program : "bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment.Remove("FLECK_CHAT_API_KEY");
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        if (openFiles is { } limit)
        {
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"ulimit -n {limit} && exec \"$@\""));
            info.ArgumentList.Add("bash");
            info.ArgumentList.Add(program);
        }
        if (NativeHost is null)
        {
            info.ArgumentList.Add(HostDll);
        }
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var host = new HostProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                host._banner.TrySetException(new InvalidOperationException("the host exited before printing its banner: " + host.Stderr));
                return;
            }
            lock (host._stdout)
            {
                host._stdout.AppendLine(e.Data);
            }
            var m = BannerPattern().Match(e.Data);
            if (m.Success)
            {
                host.HttpPort = int.Parse(m.Groups["http"].Value, System.Globalization.CultureInfo.InvariantCulture);
                host.WebSocketPort = int.Parse(m.Groups["ws"].Value, System.Globalization.CultureInfo.InvariantCulture);
                host._banner.TrySetResult(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (host._stderr)
                {
                    host._stderr.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Starts the host and waits for its banner; a host that never shows it is stopped before the failure is passed on.</summary>
    public static Task<HostProcess> StartReadyAsync(CancellationToken ct, params string[] args) =>
        StartReadyAsync(new Dictionary<string, string>(), ct, args);

    /// <summary>Starts the host with extra environment variables and waits for its banner, as <see cref="StartReadyAsync(CancellationToken, string[])"/>.</summary>
    public static async Task<HostProcess> StartReadyAsync(IReadOnlyDictionary<string, string> environment, CancellationToken ct, params string[] args)
    {
        var host = Start(environment, args);
        try
        {
            await host.WaitForBannerAsync(ct);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>The arguments that run the host in <paramref name="mode"/> on loopback with OS-chosen WebSocket and HTTP ports.</summary>
    public static string[] OnLoopback(string mode) => ["--mode", mode, "--host", "127.0.0.1", "--port", "0", "--http-port", "0"];

    /// <summary>Waits for the banner; fails with the host's stderr if it exits first.</summary>
    public Task<string> WaitForBannerAsync(CancellationToken ct) => _banner.Task.WaitAsync(ct);

    /// <summary>Runs the host to completion (for bad-input cases) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken ct)
    {
        await _process.WaitForExitAsync(ct);
        return _process.ExitCode;
    }

    public void Signal(int signal) => _ = Kill(_process.Id, signal);

    public void Terminate() => Signal(15);

    public void KillHard() => Signal(9);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [GeneratedRegex(@"http://[^\s]+:(?<http>\d+)/chat.*wss?://[^\s]+:(?<ws>\d+)/websocket")]
    private static partial Regex BannerPattern();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Terminate();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }
}
