using System.Threading.Channels;

namespace Fleck.Chat.Client.Tests.Support;

/// <summary>
/// A <see cref="ChatClient"/> under test with a pump that reads its events all the time (so the client
/// never stalls on a full buffer) into a queue the test consumes in order. Every event consumed stays in
/// <see cref="Seen"/>, for checks on what came before a marker.
/// </summary>
internal sealed class EventLog : IAsyncDisposable
{
    private readonly Channel<ChatEvent> _queue = Channel.CreateUnbounded<ChatEvent>();
    private readonly Task _pump;

    private EventLog(ChatClient client)
    {
        Client = client;
        _pump = PumpAsync();
    }

    public ChatClient Client { get; }

    /// <summary>Every event the test has consumed, in order.</summary>
    public List<ChatEvent> Seen { get; } = [];

    /// <summary>Creates the client and its pump, without connecting.</summary>
    public static EventLog Create(ChatClientOptions options) => new(new ChatClient(options));

    /// <summary>Creates the client, connects it and returns it once signed in.</summary>
    public static async Task<EventLog> ConnectAsync(ChatClientOptions options, CancellationToken ct)
    {
        var log = Create(options);
        try
        {
            await log.Client.ConnectAsync(ct);
            return log;
        }
        catch
        {
            await log.DisposeAsync();
            throw;
        }
    }

    /// <summary>Consumes events until one of type <typeparamref name="T"/> matches; fails when the events end first.</summary>
    public async Task<T> WaitForAsync<T>(Func<T, bool> match, CancellationToken ct)
        where T : ChatEvent
    {
        while (true)
        {
            if (!await _queue.Reader.WaitToReadAsync(ct))
            {
                Assert.Fail($"the events ended before a {typeof(T).Name} matched; seen: {string.Join(", ", Seen.TakeLast(10))}");
            }
            while (_queue.Reader.TryRead(out var e))
            {
                Seen.Add(e);
                if (e is T t && match(t))
                {
                    return t;
                }
            }
        }
    }

    public Task<T> WaitForAsync<T>(CancellationToken ct)
        where T : ChatEvent => WaitForAsync<T>(_ => true, ct);

    /// <summary>Consumes events until the message with <paramref name="text"/> (live or replayed) and returns the messages up to it, in order.</summary>
    public async Task<List<(string? Room, ChatMessage Message)>> MessagesUntilAsync(string text, CancellationToken ct)
    {
        var from = Seen.Count;
        await WaitForAsync<ChatEvent>(e => MessageOf(e) is { } m && m.Message.Text == text, ct);
        return [.. Seen.Skip(from).Select(MessageOf).OfType<(string?, ChatMessage)>()];
    }

    /// <summary>The room and message of a live or replayed message event; null for any other event.</summary>
    public static (string? Room, ChatMessage Message)? MessageOf(ChatEvent e) => e switch
    {
        MessageEvent m => (m.Room, m.Message),
        HistoryEvent h => (h.Room, h.Message),
        _ => null,
    };

    private async Task PumpAsync()
    {
        await foreach (var e in Client.ReadEventsAsync())
        {
            _queue.Writer.TryWrite(e);
        }
        _queue.Writer.TryComplete();
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _pump;
    }
}
