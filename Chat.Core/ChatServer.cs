using System.Net;
using Fleck.Chat.Diagnostics;
using Fleck.Chat.Modes;
using Fleck.Chat.Scaling;
using Fleck.Chat.Server;
using Fleck.Chat.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleck.Chat;

/// <summary>
/// A chat server: a <see cref="WebSocketServer"/>, a room, and the <see cref="IChatMode"/> that gives
/// the chat its rules. Embedding takes a few lines:
/// <code>
/// await using var chat = new ChatServer(new NickBroadcastMode(), new ChatServerOptions());
/// await chat.StartAsync();
/// </code>
/// Servers in one process share nothing unless given nodes of the same <see cref="IChatBackplane"/>.
/// </summary>
public sealed partial class ChatServer : IAsyncDisposable
{
    private readonly WebSocketServer _transport;
    private readonly IChatBackplane _backplane;
    private readonly ChatRoom _room;
    private readonly ChatCounters _counters = new();
    private readonly ChatMetrics _metrics;
    private readonly Func<int> _streamCount;
    private readonly IBanList _bans;
    private bool _started;

    /// <summary>Creates a chat server; nothing listens until <see cref="StartAsync"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// An option of <paramref name="options"/> or of its <see cref="ChatServerOptions.Transport"/> is out of
    /// range; the exception's parameter name is the option's.
    /// </exception>
    public ChatServer(IChatMode mode, ChatServerOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        Mode = mode ?? throw new ArgumentNullException(nameof(mode));
        Options = options ?? new ChatServerOptions();
        // Checked before anything is created, so a bad option leaves no meter behind.
        Options.Validate();
        loggerFactory ??= NullLoggerFactory.Instance;
        _metrics = new ChatMetrics(Options.MeterFactory, () => _transport!.ConnectionCount, () => _room!.LocalMemberCount, _counters, () => _transport!.Counters,
            (Options.Backplane as InMemoryBackplane)?.Store, Options.Backplane is null or InMemoryBackplane ? () => _streamCount!() : null);
        _backplane = Options.Backplane is { } shared ? new MeteredBackplane(shared, _metrics) : new InMemoryBackplane();
        // Rooms and streams go through the given backplane's parts, metered like the rest of it; the
        // default backplane has them all. One without streams leaves rooms to this node alone, so they
        // go to a backplane of this node's own: their presence and subscriptions included.
        var roomSide = Options.Backplane is { Streams: null } ? new InMemoryBackplane() : _backplane;
        // Counted on the in-memory backplane itself: the metered wrapper around a given one has no count.
        var countedStreams = (roomSide == _backplane ? Options.Backplane ?? _backplane : roomSide) as InMemoryBackplane;
        _streamCount = () => countedStreams?.StreamCount ?? 0;
        if (Options.Backplane is { Streams: null } custom)
        {
            // Silent node-local chat would look like lost messages to the people on other nodes.
            loggerFactory.CreateLogger("Fleck.Chat.Server").LogWarning(
                "The backplane {Backplane} has no stream log: nick-broadcast's chat and rooms stay on this node.", custom.GetType().Name);
        }
        var streamLog = roomSide.Streams ?? throw new InvalidOperationException("The room side of the backplane has no stream log.");
        streamLog.LimitStreams(Options.StreamLimits());
        var roomsLogger = loggerFactory.CreateLogger("Fleck.Chat.Rooms");
        var streams = new Rooms.LocalStreams(roomSide.Bus, _counters, roomsLogger);
        _room = new ChatRoom(_backplane, _counters, loggerFactory.CreateLogger("Fleck.Chat.Room"))
        {
            Rooms = new Rooms.RoomDirectory(roomSide.Presence, roomSide.Bus, streamLog, streams, Options.MaxRoomsPerMember, Options.HistorySize, Options.Retain, roomsLogger),
            Stream = new Rooms.ChatStream(streamLog, streams, Options.HistorySize, Options.Retain),
            Sends = new AckedSends(streamLog, _counters, Options.Retain),
            Inboxes = new Rooms.Inboxes(streamLog, streams, Options.HistorySize, Options.Retain),
            Streams = streams,
        };
        _room.StreamServices = new StreamServices(streamLog, _backplane.Presence, streams, _room, _counters);
        if (roomSide is InMemoryBackplane local && roomSide != _backplane)
        {
            local.AttachStreamsOnly(_room);
        }
        _bans = Options.Bans ?? new InMemoryBanList();
        var serverLogger = loggerFactory.CreateLogger("Fleck.Chat.Server");
        var handler = new ChatConnectionHandler(mode, _room, Options, _counters, new BanCheck(_bans, mode, serverLogger), serverLogger);
        _transport = new WebSocketServer(Options.Transport, handler, loggerFactory);
    }

    /// <summary>The name of the meter every chat server reports on (<c>Fleck.Chat</c>); docs/OPERATIONS.md lists its instruments.</summary>
    public const string MeterName = ChatMetrics.MeterName;

    /// <summary>The chat mode in use.</summary>
    public IChatMode Mode { get; }

    /// <summary>The settings in use.</summary>
    public ChatServerOptions Options { get; }

    /// <summary>The bound WebSocket port (after <see cref="StartAsync"/>).</summary>
    public int Port => _transport.Port;

    /// <summary>The bound address and port (after <see cref="StartAsync"/>).</summary>
    public IPEndPoint LocalEndPoint => _transport.LocalEndPoint;

    /// <summary>
    /// Joins the backplane, then binds and starts accepting. A busy port throws
    /// <see cref="System.Net.Sockets.SocketException"/>; the backplane it had joined is left (disposed) first.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _backplane.ConnectAsync(_room, cancellationToken).ConfigureAwait(false);
        try
        {
            await _transport.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await _backplane.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        _started = true;
    }

    /// <summary>Closes every connection with 1001 (bounded wait) and leaves the backplane, whatever happens while closing.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _transport.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (_started)
            {
                _started = false;
                await _backplane.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Current counters.</summary>
    public ChatStatistics GetStatistics() =>
        new(_transport.ConnectionCount, _room.LocalMemberCount, _counters.Received, _counters.DeliveredCount, _counters.Bytes);

    /// <inheritdoc cref="StopAsync"/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _transport.DisposeAsync().ConfigureAwait(false);
        _metrics.Dispose();
    }
}
