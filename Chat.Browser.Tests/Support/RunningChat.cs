using Fleck.Chat.Host;
using Fleck.Chat.Host.Cli;
using Fleck.Chat.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleck.Chat.Browser.Tests.Support;

/// <summary>
/// The host's chat and pages started in the test process on free ports, bound to 127.0.0.1,
/// serving the real static/ folder (copied beside the tests by the build).
/// </summary>
internal sealed class RunningChat : IAsyncDisposable
{
    private HostedChat _chat;

    private RunningChat(HostedChat chat, HostSettings settings)
    {
        _chat = chat;
        Settings = settings;
    }

    public HostSettings Settings { get; private set; }

    public int HttpPort => _chat.HttpPort;

    public int WebSocketPort => _chat.WebSocketPort;

    /// <summary>The page the seed's <c>/chat</c> route serves: the running mode's page.</summary>
    public string ChatUrl => $"http://127.0.0.1:{HttpPort}/chat";

    public static async Task<RunningChat> StartAsync(string mode, string? jwtSecret = null)
    {
        var folder = StaticFolder.Resolve(null) ?? throw new InvalidOperationException("static/ was not copied beside the tests");
        var settings = new HostSettings { Mode = mode, WebSocketPort = 0, HttpPort = 0, StaticFolder = folder, JwtSecret = jwtSecret };
        return new RunningChat(await HostedChat.StartAsync(settings, NullLoggerFactory.Instance, cancellationToken: TestTimeouts.Token()), settings);
    }

    /// <summary>Stops the chat and its pages, as a shutdown does: every client gets close 1001.</summary>
    public async Task StopAsync()
    {
        Settings = Settings with { WebSocketPort = _chat.WebSocketPort, HttpPort = _chat.HttpPort };
        await _chat.DisposeAsync();
    }

    /// <summary>Starts a fresh chat (nobody online, no history) on the ports the stopped one had.</summary>
    public async Task StartAgainAsync() =>
        _chat = await HostedChat.StartAsync(Settings, NullLoggerFactory.Instance, cancellationToken: TestTimeouts.Token());

    public ValueTask DisposeAsync() => _chat.DisposeAsync();
}
