using System.Collections.Concurrent;
using System.Text.Json;
using Fleck.Chat.Tests.Support;
using Microsoft.Playwright;

namespace Fleck.Chat.Browser.Tests.Support;

/// <summary>
/// Every WebSocket a page opens (failed attempts included), with its URL and the text frames it
/// sent and received: how a test sees what a page asked the server for and what it was told.
/// Attach it before the page opens its first socket.
/// </summary>
internal sealed class SocketLog
{
    private readonly ConcurrentQueue<PageSocket> _sockets = new();

    public SocketLog(IPage page) =>
        page.WebSocket += (_, socket) =>
        {
            var logged = new PageSocket(socket.Url);
            socket.FrameReceived += (_, frame) => logged.Received.Enqueue(frame.Text ?? "");
            socket.FrameSent += (_, frame) => logged.Sent.Enqueue(frame.Text ?? "");
            _sockets.Enqueue(logged);
        };

    /// <summary>The sockets in the order the page opened them.</summary>
    public IReadOnlyList<PageSocket> Sockets => [.. _sockets];

    /// <summary>The sockets that got any frame from the server, i.e. were accepted.</summary>
    public IReadOnlyList<PageSocket> Sessions => [.. _sockets.Where(s => !s.Received.IsEmpty)];

    /// <summary>
    /// The last session that received an event of <paramref name="type"/> and, if given, matches
    /// <paramref name="condition"/>. Playwright reports a socket's frames to the test as events of
    /// their own, which on a loaded machine can trail what the page already shows, so the log is
    /// waited for rather than read at once.
    /// </summary>
    public Task<PageSocket> SessionThatReceivedAsync(string type, CancellationToken ct, Func<PageSocket, bool>? condition = null) =>
        Retry.UntilAsync(
            _ => Task.FromResult(Sessions.LastOrDefault(s => s.ReceivedEvents(type).Count > 0 && (condition?.Invoke(s) ?? true))),
            session => session is not null,
            TestTimeouts.Step,
            ct)!;
}

/// <summary>One WebSocket of a page.</summary>
internal sealed class PageSocket(string url)
{
    public string Url { get; } = url;

    public ConcurrentQueue<string> Received { get; } = new();

    public ConcurrentQueue<string> Sent { get; } = new();

    /// <summary>The query parameters of <see cref="Url"/>, decoded.</summary>
    public IReadOnlyDictionary<string, string> Query =>
        new Uri(Url).Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(kv => Uri.UnescapeDataString(kv[0]), kv => kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "");

    /// <summary>The JSON events received, in order, of the given <c>type</c>.</summary>
    public IReadOnlyList<JsonElement> ReceivedEvents(string type) => Events(Received, type);

    /// <summary>The JSON commands sent, in order, of the given <c>type</c>.</summary>
    public IReadOnlyList<JsonElement> SentCommands(string type) => Events(Sent, type);

    private static List<JsonElement> Events(IEnumerable<string> frames, string type) =>
        [.. frames.Where(f => f.StartsWith('{'))
            .Select(f => JsonDocument.Parse(f).RootElement)
            .Where(e => e.TryGetProperty("type", out var t) && t.GetString() == type)];
}
