using Fleck.Chat.Host;
using Fleck.Chat.Host.Cli;
using Fleck.Chat.Scaling;
using Fleck.Chat.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleck.Chat.Browser.Tests.Support;

/// <summary>
/// The host's chat and pages started in the test process on free ports below the ephemeral range
/// (<see cref="LoopbackPorts"/>, so a restart gets them back), bound to 127.0.0.1,
/// serving the real static/ folder (copied beside the tests by the build). With
/// <see cref="HostSettings.Store"/> or <see cref="HostSettings.Redis"/> set it keeps the chat in
/// that file or joins it in Redis, as the program does.
/// </summary>
internal sealed class RunningChat : IAsyncDisposable
{
    private const int StartAttempts = 5;

    private HostedChat _chat;

    private RunningChat(HostedChat chat, HostSettings settings)
    {
        _chat = chat;
        Settings = settings;
    }

    public HostSettings Settings { get; }

    public int HttpPort => _chat.HttpPort;

    public int WebSocketPort => _chat.WebSocketPort;

    /// <summary>The page the seed's <c>/chat</c> route serves: the running mode's page.</summary>
    public string ChatUrl => $"http://127.0.0.1:{HttpPort}/chat";

    public static Task<RunningChat> StartAsync(string mode, string? jwtSecret = null) =>
        StartAsync(mode, settings => settings with { JwtSecret = jwtSecret });

    /// <summary>Starts the chat with the settings <paramref name="configure"/> makes of the test defaults.</summary>
    public static async Task<RunningChat> StartAsync(string mode, Func<HostSettings, HostSettings> configure)
    {
        var folder = StaticFolder.Resolve(null) ?? throw new InvalidOperationException("static/ was not copied beside the tests");
        var settings = configure(new HostSettings { Mode = mode, StaticFolder = folder });
        for (var attempt = 1; ; attempt++)
        {
            settings = settings with { WebSocketPort = LoopbackPorts.Next(), HttpPort = LoopbackPorts.Next() };
            try
            {
                return new RunningChat(await LaunchAsync(settings), settings);
            }
            catch (HostStartException) when (attempt < StartAttempts)
            {
                // Another process bound one of the ports after it was found free: take two others.
            }
        }
    }

    /// <summary>Stops the chat and its pages, as a shutdown does: every client gets close 1001.</summary>
    public ValueTask StopAsync() => _chat.DisposeAsync();

    /// <summary>
    /// Starts the chat again on the ports the stopped one had: nobody online, and the history the
    /// settings keep (none in memory; what the store or Redis holds otherwise).
    /// </summary>
    public async Task StartAgainAsync() => _chat = await LaunchAsync(Settings);

    public ValueTask DisposeAsync() => _chat.DisposeAsync();

    private static async Task<HostedChat> LaunchAsync(HostSettings settings)
    {
        var ct = TestTimeouts.Token();
        IChatBackplane? backplane = (settings.Store, settings.Redis) switch
        {
            ({ } file, _) => await StoreConnector.OpenAsync(file, NullLoggerFactory.Instance, ct),
            (_, { } redis) => await RedisConnector.ConnectAsync(redis, NullLoggerFactory.Instance, ct),
            _ => null,
        };
        try
        {
            // The chat owns the backplane from here on and disposes it when it stops.
            return await HostedChat.StartAsync(settings, NullLoggerFactory.Instance, backplane: backplane, cancellationToken: ct);
        }
        catch when (backplane is not null)
        {
            await backplane.DisposeAsync();
            throw;
        }
    }
}
