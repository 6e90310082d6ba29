using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Host.Api;

/// <summary>Starts the real host with the server API on (or off) and opens chat clients against it.</summary>
internal static class ApiHost
{
    public const string Key = "api-key-for-tests-7f3a9c";

    /// <summary>Starts a host in <paramref name="mode"/> with <c>--api-key</c> <see cref="Key"/>, plus <paramref name="extra"/> arguments.</summary>
    public static Task<HostProcess> StartAsync(string mode, CancellationToken ct, params string[] extra) =>
        StartRawAsync(new Dictionary<string, string>(), ct, [.. Base(mode), "--api-key", Key, .. extra]);

    /// <summary>Starts a host with exactly the given environment and arguments after the usual address and ports.</summary>
    public static Task<HostProcess> StartRawAsync(IReadOnlyDictionary<string, string> environment, CancellationToken ct, params string[] args) =>
        HostProcess.StartReadyAsync(environment, ct, args);

    public static string[] Base(string mode) => HostProcess.OnLoopback(mode);

    /// <summary>Joins under a nickname and waits for the users event that confirms it.</summary>
    public static async Task<TypedClient> JoinAsync(HostProcess host, string nickname, CancellationToken ct)
    {
        var client = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/" + nickname, ct);
        await client.ReceiveEventAsync("users", ct);
        return client;
    }
}
