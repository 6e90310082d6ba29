using System.Globalization;

namespace Fleck.Chat.Client.Tests.Support;

/// <summary>Starts the real host for the client tests and makes client options that point at it (or at a proxy in front of it).</summary>
internal static class ClientHost
{
    /// <summary>The host in <paramref name="mode"/> on loopback, with no message rate limit (the tests send in bursts).</summary>
    public static Task<HostProcess> StartAsync(string mode, CancellationToken ct, params string[] extra) =>
        HostProcess.StartReadyAsync(ct, [.. HostProcess.OnLoopback(mode), "--rate", "0", .. extra]);

    /// <summary>The host on the given loopback ports, so that it can be stopped and started again where its clients reconnect to.</summary>
    public static Task<HostProcess> StartOnAsync(string mode, int webSocketPort, int httpPort, CancellationToken ct, params string[] extra) =>
        HostProcess.StartReadyAsync(ct, ["--mode", mode, "--host", "127.0.0.1",
            "--port", webSocketPort.ToString(CultureInfo.InvariantCulture), "--http-port", httpPort.ToString(CultureInfo.InvariantCulture), "--rate", "0", .. extra]);

    public static ChatClientOptions As(string nickname, int port) => new()
    {
        Server = new Uri($"ws://127.0.0.1:{port}"),
        Nickname = nickname,
        // Cut tests reconnect often; a short first backoff keeps them quick (the policy is the same).
        ReconnectDelay = TimeSpan.FromMilliseconds(100),
        MaxReconnectDelay = TimeSpan.FromSeconds(1),
    };

    public static ChatClientOptions WithToken(string token, int port) => As("x", port) with { Nickname = null, Token = token };
}
