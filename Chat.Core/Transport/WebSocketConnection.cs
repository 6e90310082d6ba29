using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Fleck.Chat.Transport.Handshake;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Transport;

/// <summary>
/// One client connection: who it is (endpoint, path, query, headers) and how to talk to it.
/// Sending never blocks: messages go to a bounded per-connection queue that one writer drains, so a
/// slow reader is disconnected with 1008 instead of slowing anyone else.
/// Thread-safety: every member may be called from any thread.
/// </summary>
public sealed partial class WebSocketConnection : Modes.IMemberConnection, IWriteFailureListener
{
    private readonly Socket _socket;
    private readonly ConnectionStream _stream;
    private readonly WebSocket _webSocket;
    private readonly Outbox _outbox;
    private readonly WebSocketServerOptions _options;
    private readonly ILogger _logger;
    private readonly WebSocketServer? _server;
    // Idle connections are the common case: keep the request head as its raw bytes and build the
    // header dictionary only if someone asks for it.
    private readonly byte[] _rawHead;
    private IReadOnlyDictionary<string, string>? _headers;
    private long _pingSentTicks;
    private int _closeStarted;
    private int _aborted;

    // When the closing handshake began; the keepalive sweep aborts a close the peer never answers.
    private long _closeStartedTicks;

    internal WebSocketConnection(long id, Socket socket, ConnectionStream stream, UpgradeRequest request, HandshakeOutcome outcome,
        WebSocketServerOptions options, ILogger logger, WebSocketServer? server, IPEndPoint? remoteEndPoint = null)
    {
        Id = id;
        _server = server;
        _socket = socket;
        _stream = stream;
        _options = options;
        _logger = logger;
        RemoteEndPoint = remoteEndPoint ?? socket.RemoteEndPoint as IPEndPoint;
        Path = server?.SharePath(request.Path) ?? request.Path;
        Query = request.Query;
        _rawHead = request.RawHead;
        SubProtocol = outcome.SubProtocol;
        IsCompressionEnabled = outcome.Deflate is not null;
        IsSecure = options.Certificate is not null;
        _webSocket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
        {
            IsServer = true,
            SubProtocol = outcome.SubProtocol,
            // Keepalive is the server's single sweep; a BCL timer per connection would cost memory.
            KeepAliveInterval = TimeSpan.Zero,
            DangerousDeflateOptions = outcome.Deflate,
        });
        // On a plain socket the outbox sends directly, without a stream in between (see Outbox).
        _outbox = new Outbox(stream.Inner, options.MaxQueuedMessages, options.MaxQueuedBytes, this,
            stream.Inner is NetworkStream ? socket : null, server?.WriteScheduler);
        stream.Connection = this;
    }

    /// <summary>Server-unique number of this connection.</summary>
    public long Id { get; }

    /// <summary>
    /// The client's address and port. Behind a trusted proxy (<see cref="WebSocketServerOptions.TrustedProxies"/>)
    /// it is the client the proxy named in <c>X-Forwarded-For</c>, with port 0.
    /// </summary>
    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>Request path of the upgrade, still percent-encoded (e.g. <c>/websocket/%E5%B0%8F</c>).</summary>
    public string Path { get; }

    /// <summary>Query string of the upgrade request, without the leading '?'; empty when there was none.</summary>
    public string Query { get; }

    /// <summary>Header fields of the upgrade request, by case-insensitive name.</summary>
    public IReadOnlyDictionary<string, string> Headers => _headers ??= UpgradeRequest.ParseHeaders(_rawHead);

    /// <summary>The negotiated subprotocol, or null.</summary>
    public string? SubProtocol { get; }

    /// <summary>Whether permessage-deflate was negotiated.</summary>
    public bool IsCompressionEnabled { get; }

    /// <summary>Whether the connection runs over TLS.</summary>
    public bool IsSecure { get; }

    /// <summary>Free for the application: whatever state it keeps per connection. The library never reads or writes it.</summary>
    public object? Tag { get; set; }

    /// <summary>The library's own per-connection state (the chat server keeps the member here), out of the application's reach.</summary>
    internal object? HandlerState { get; set; }

    /// <summary>True until a close has begun or the connection failed; after that every send is refused.</summary>
    public bool IsOpen => Volatile.Read(ref _closeStarted) == 0 && Volatile.Read(ref _aborted) == 0;

    private bool IsAborted => Volatile.Read(ref _aborted) != 0;

    /// <summary>Frames written so far and the socket writes that carried them.</summary>
    internal (long Frames, long Writes) WriteCounts => (_outbox.FramesWritten, _outbox.Writes);

    /// <summary>Frames waiting to be written to this client, and their bytes.</summary>
    internal (int Messages, long Bytes) Queued => _outbox.Queued;

    /// <summary>Close code the peer sent, once it has sent one.</summary>
    public int? PeerCloseCode { get; private set; }

    int Modes.IMemberConnection.QueueLimit => _options.MaxQueuedMessages;

    /// <summary>
    /// Queues a message for this client. Returns false when the connection is closing or gone, or
    /// when its queue is full; a full queue means the client stopped reading, so it is closed with
    /// 1008.
    /// </summary>
    public bool Send(OutgoingMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        switch (_outbox.TryEnqueue(message))
        {
            case EnqueueResult.Queued:
                return true;
            case EnqueueResult.Full:
                _logger.LogInformation("Connection {Id} from {Remote} stopped reading; its queue is full", Id, RemoteEndPoint);
                CloseForOverflow();
                return false;
            default:
                return false;
        }
    }

    /// <summary>Queues a text message.</summary>
    public bool SendText(string text) => Send(OutgoingMessage.Text(text));

    /// <summary>
    /// Starts the closing handshake: everything queued before it is still delivered, then a close
    /// frame with <paramref name="code"/> and <paramref name="reason"/>. Completes once the frame
    /// has been written (or the connection is gone).
    /// </summary>
    public Task CloseAsync(int code = WebSocketCloseCode.Normal, string? reason = null, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _closeStarted, 1) != 0)
        {
            return _outbox.CloseWritten ?? Task.CompletedTask;
        }
        _outbox.TryEnqueue(OutgoingMessage.Close(code, reason));
        ScheduleCloseTimeout();
        var written = _outbox.CloseWritten ?? Task.CompletedTask;
        return cancellationToken.CanBeCanceled ? written.WaitAsync(cancellationToken) : written;
    }

    /// <summary>
    /// A slow reader: what it has not read is dropped and a 1008 close takes its place, so a peer
    /// that is merely slow learns why; one that reads nothing at all is cut off by the close timeout.
    /// </summary>
    private void CloseForOverflow()
    {
        if (Interlocked.Exchange(ref _closeStarted, 1) != 0)
        {
            return;
        }
        _server?.Counters.SlowConsumerCut();
        _outbox.ReplaceWithClose(OutgoingMessage.Close(WebSocketCloseCode.PolicyViolation, "Too slow: send queue overflowed"));
        ScheduleCloseTimeout();
    }

    /// <summary>The handshake's answer is on the wire: frames queued so far may follow it now.</summary>
    internal void StartWriting() => _outbox.Start();

    /// <summary>
    /// A frame the BCL wrote by itself. A pong that would overflow the queue makes the peer a slow
    /// reader like any other frame; a close frame (the BCL failing the connection on a protocol
    /// error) starts the close like ours do, so <see cref="WebSocketServerOptions.CloseTimeout"/> bounds it.
    /// </summary>
    internal void OnFrameFromParser(ReadOnlySpan<byte> frame)
    {
        switch (_outbox.EnqueueFrameFromParser(frame))
        {
            case EnqueueResult.Queued when !frame.IsEmpty && (frame[0] & 0x0F) == ServerFrame.OpClose:
                Interlocked.Exchange(ref _closeStarted, 1);
                ScheduleCloseTimeout();
                break;
            case EnqueueResult.Full:
                _logger.LogInformation("Connection {Id} from {Remote} overflowed its queue with control frames", Id, RemoteEndPoint);
                CloseForOverflow();
                break;
        }
    }

    /// <summary>Drops the connection at once, without a closing handshake.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }
        _outbox.Discard();
        // Closing the socket ends any pending read or write with an error, which ends the receive loop.
        _socket.Dispose();
    }

    /// <summary>If the peer does not answer our close in time, the socket is closed anyway (RFC 6455 §7.1.1); the sweep checks.</summary>
    private void ScheduleCloseTimeout() => Volatile.Write(ref _closeStartedTicks, Environment.TickCount64);

    void IWriteFailureListener.OnWriteFailed(Exception? error)
    {
        _logger.LogDebug(error, "Write to connection {Id} from {Remote} failed", Id, RemoteEndPoint);
        Abort();
    }

    /// <summary>
    /// Called by the server's keepalive sweep: pings a quiet peer, drops a dead one or one whose write is
    /// stuck, and closes one whose message has been arriving for longer than <paramref name="assemblyTimeoutMs"/>.
    /// </summary>
    internal void CheckAlive(long now, long intervalMs, long timeoutMs, long writeTimeoutMs, long closeTimeoutMs, long assemblyTimeoutMs = 0)
    {
        var closeStarted = Volatile.Read(ref _closeStartedTicks);
        if (closeStarted != 0 && now - closeStarted > closeTimeoutMs)
        {
            _logger.LogDebug("Connection {Id} from {Remote} did not finish closing in time; dropping it", Id, RemoteEndPoint);
            Abort();
            return;
        }
        var writeStarted = _outbox.WriteStartedTicks;
        if (writeStarted != 0 && now - writeStarted > writeTimeoutMs)
        {
            _logger.LogInformation("Connection {Id} from {Remote}: a write has been stuck for {Ms} ms; dropping it", Id, RemoteEndPoint, now - writeStarted);
            Abort();
            return;
        }
        if (assemblyTimeoutMs > 0 && _stream.MessageStartedTicks is var messageStarted and not 0
            && now - messageStarted > assemblyTimeoutMs && Volatile.Read(ref _closeStarted) == 0)
        {
            _logger.LogDebug("Connection {Id} from {Remote}: a message has been arriving for {Ms} ms; closing it", Id, RemoteEndPoint, now - messageStarted);
            _ = CloseAsync(WebSocketCloseCode.PolicyViolation, "Message took too long to arrive");
            return;
        }
        if (intervalMs <= 0)
        {
            return;
        }
        var lastRead = _stream.LastReadTicks;
        var pingSent = Volatile.Read(ref _pingSentTicks);
        if (pingSent > lastRead)
        {
            if (now - pingSent > timeoutMs)
            {
                _logger.LogInformation("Connection {Id} from {Remote} did not answer a ping; dropping it", Id, RemoteEndPoint);
                Abort();
            }
        }
        else if (now - lastRead >= intervalMs)
        {
            Volatile.Write(ref _pingSentTicks, now);
            if (_outbox.TryEnqueue(OutgoingMessage.Ping()) == EnqueueResult.Full)
            {
                // Even our ping does not fit: the peer stopped reading.
                _logger.LogInformation("Connection {Id} from {Remote} stopped reading; its queue is full", Id, RemoteEndPoint);
                CloseForOverflow();
            }
        }
    }
}
