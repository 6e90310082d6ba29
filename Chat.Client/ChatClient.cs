using System.Threading.Channels;
using Fleck.Chat.Client.Connection;
using Fleck.Chat.Client.Sending;
using Fleck.Chat.Client.Wire;

namespace Fleck.Chat.Client;

/// <summary>
/// A connection to a Fleck.Chat server that stays up: it reconnects with backoff, resumes every stream
/// it reads by offset and epoch (yielding each message once, in order, or a <see cref="GapEvent"/>), and
/// sends each message exactly once: a send is re-sent with the same id after a reconnect until the
/// server acknowledges it.
/// Thread-safety: every method may be called from any thread, at once; <see cref="ReadEventsAsync"/>
/// has one reader at a time.
/// </summary>
public sealed partial class ChatClient : IAsyncDisposable
{
    private readonly ChatClientOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<ChatEvent> _events;
    private readonly PendingSends _sends = new();
    private readonly PageRequests _pages = new();
    private readonly RoomWaiters _joins = new();
    private readonly RoomWaiters _leaves = new();
    private readonly StreamPositions _streams = new();
    private readonly TokenSource _tokens;
    private readonly ReconnectBackoff _backoff;
    private readonly TypingThrottle _typing;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly object _gate = new();
    private ChatClientState _state;

    /// <summary>Creates a client; nothing happens until <see cref="ConnectAsync"/>.</summary>
    /// <exception cref="ArgumentException">Not exactly one of nickname, token and token callback is set, or the address is not ws:// or wss://.</exception>
    public ChatClient(ChatClientOptions options)
        : this(options, TimeProvider.System, Random.Shared.NextDouble)
    {
    }

    internal ChatClient(ChatClientOptions options, TimeProvider time, Func<double> random)
    {
        ArgumentNullException.ThrowIfNull(options);
        if ((options.Nickname is null ? 0 : 1) + (options.Token is null ? 0 : 1) + (options.GetToken is null ? 0 : 1) != 1)
        {
            throw new ArgumentException("Set exactly one of Nickname, Token and GetToken.", nameof(options));
        }
        if (options.Server.Scheme is not ("ws" or "wss"))
        {
            throw new ArgumentException("The server address must be ws:// or wss://.", nameof(options));
        }
        _options = options;
        _time = time;
        _tokens = new TokenSource(options.Token, options.GetToken, time);
        _backoff = new ReconnectBackoff(options.ReconnectDelay, options.MaxReconnectDelay, random);
        _typing = new TypingThrottle(time);
        _events = Channel.CreateBounded<ChatEvent>(new BoundedChannelOptions(options.EventCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Where the connection stands now.</summary>
    public ChatClientState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>
    /// The chat's events, in the order they happened, until the client is closed (the last one is a
    /// <see cref="StateChangedEvent"/> to <see cref="ChatClientState.Closed"/>). Read them all the time:
    /// while the buffer (<see cref="ChatClientOptions.EventCapacity"/>) is full the client reads nothing
    /// from the server, acknowledgements included. One reader at a time.
    /// </summary>
    public IAsyncEnumerable<ChatEvent> ReadEventsAsync(CancellationToken cancellationToken = default) =>
        _events.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Sends <paramref name="text"/> to nick-broadcast's chat; completes when the server has numbered it.</summary>
    /// <exception cref="ChatErrorException">The server refused it (e.g. <c>rate_limited</c>).</exception>
    /// <exception cref="TimeoutException">Not acknowledged within <see cref="ChatClientOptions.SendTimeout"/>.</exception>
    public Task<SendResult> SendAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SendMessageAsync(id => Commands.Chat(text, id), cancellationToken);
    }

    /// <summary>Sends <paramref name="text"/> to <paramref name="room"/> (rooms mode), which this client has joined.</summary>
    /// <exception cref="ChatErrorException">The server refused it (e.g. <c>not_in_room</c>).</exception>
    /// <exception cref="TimeoutException">Not acknowledged within <see cref="ChatClientOptions.SendTimeout"/>.</exception>
    public Task<SendResult> SendToRoomAsync(string room, string text, CancellationToken cancellationToken = default)
    {
        var key = RoomName(room);
        ArgumentNullException.ThrowIfNull(text);
        return SendMessageAsync(id => Commands.RoomMessage(key, text, id), cancellationToken);
    }

    /// <summary>Sends <paramref name="text"/> privately to <paramref name="to"/> (private mode).</summary>
    /// <exception cref="ChatErrorException">The server refused it (e.g. <c>offline_target</c>).</exception>
    /// <exception cref="TimeoutException">Not acknowledged within <see cref="ChatClientOptions.SendTimeout"/>.</exception>
    public Task<SendResult> SendPrivateAsync(string to, string text, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(to);
        ArgumentNullException.ThrowIfNull(text);
        return SendMessageAsync(id => Commands.Private(to, text, id), cancellationToken);
    }

    /// <summary>
    /// A page of older messages: the newest <paramref name="limit"/> (1–100, server default 50) with an offset
    /// below <paramref name="before"/> (the latest when null), of <paramref name="room"/> (rooms mode) or of the
    /// connection's own stream (nick-broadcast's chat, the private inbox) when null.
    /// </summary>
    /// <exception cref="ChatErrorException">The server refused it (<c>not_in_room</c>, <c>invalid_request</c>).</exception>
    public async Task<HistoryPage> GetHistoryAsync(string? room = null, long? before = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var key = room is null ? null : RoomName(room);
        ThrowIfClosed();
        var request = _pages.Add(key, Commands.History(key, before, limit));
        await TransmitAsync(request).ConfigureAwait(false);
        return await request.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Tells the others this user is typing: in <paramref name="room"/>, to <paramref name="to"/> (private), or in
    /// nick-broadcast's chat when both are null. At most one goes out per scope every 2 s; while disconnected none do.
    /// </summary>
    public Task TypingAsync(string? room = null, string? to = null, CancellationToken cancellationToken = default)
    {
        var key = room is null ? null : RoomName(room);
        var scope = key is not null ? "#" + key : to is not null ? "@" + to : "";
        return _typing.TryPass(scope) ? SendCommandAsync(Commands.Typing(key, to), null, cancellationToken) : Task.CompletedTask;
    }

    /// <summary>
    /// Moves this user's read marker to <paramref name="offset"/> in <paramref name="room"/>, or in the connection's own
    /// stream when null; the user's other connections are told. While disconnected the latest marker waits for the next connection.
    /// </summary>
    public Task MarkReadAsync(string? room, long offset, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(offset);
        var key = room is null ? null : RoomName(room);
        return SendCommandAsync(Commands.Read(key, offset), key ?? StreamPositions.Own, cancellationToken);
    }

    /// <summary>Asks for the rooms with members (rooms mode); the answer comes as a <see cref="RoomsEvent"/>.</summary>
    public Task ListRoomsAsync(CancellationToken cancellationToken = default) => SendCommandAsync(Commands.Rooms(), null, cancellationToken);

    private async Task<SendResult> SendMessageAsync(Func<string, byte[]> command, CancellationToken ct)
    {
        ThrowIfClosed();
        var id = SendIds.Next();
        var send = _sends.Add(id, command(id), _options.SendTimeout, ct);
        await TransmitAsync(send).ConfigureAwait(false);
        return await send.Done.Task.ConfigureAwait(false);
    }

    private static string RoomName(string room)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        return EventParser.RoomKey(room);
    }

    private void ThrowIfClosed()
    {
        if (State == ChatClientState.Closed)
        {
            throw new InvalidOperationException("The chat client is closed.");
        }
    }
}
