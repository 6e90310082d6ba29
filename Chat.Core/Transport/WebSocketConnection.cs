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
public sealed partial class WebSocketConnection
{
    private readonly Socket _socket;
    private readonly ConnectionStream _stream;
    private readonly WebSocket _webSocket;
    private readonly Outbox _outbox;
    private readonly WebSocketServerOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _aborted = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _pingSentTicks;
    private int _closeStarted;

    internal WebSocketConnection(long id, Socket socket, ConnectionStream stream, UpgradeRequest request, HandshakeOutcome outcome,
        WebSocketServerOptions options, ILogger logger)
    {
        Id = id;
        _socket = socket;
        _stream = stream;
        _options = options;
        _logger = logger;
        RemoteEndPoint = socket.RemoteEndPoint as IPEndPoint;
        Path = request.Path;
        Query = request.Query;
        Headers = request.Headers;
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
        _outbox = new Outbox(stream, options.MaxQueuedMessages, options.MaxQueuedBytes, OnWriteFailed);
    }

    /// <summary>Server-unique number of this connection.</summary>
    public long Id { get; }

    /// <summary>The client's address and port.</summary>
    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>Request path of the upgrade, still percent-encoded (e.g. <c>/websocket/%E5%B0%8F</c>).</summary>
    public string Path { get; }

    /// <summary>Query string of the upgrade request, without the leading '?'; empty when there was none.</summary>
    public string Query { get; }

    /// <summary>Header fields of the upgrade request, by case-insensitive name.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The negotiated subprotocol, or null.</summary>
    public string? SubProtocol { get; }

    /// <summary>Whether permessage-deflate was negotiated.</summary>
    public bool IsCompressionEnabled { get; }

    /// <summary>Whether the connection runs over TLS.</summary>
    public bool IsSecure { get; }

    /// <summary>Free for the application: whatever state it keeps per connection (a chat mode keeps the member here).</summary>
    public object? Tag { get; set; }

    /// <summary>True until a close has begun or the connection failed; after that every send is refused.</summary>
    public bool IsOpen => Volatile.Read(ref _closeStarted) == 0 && !_aborted.IsCancellationRequested;

    /// <summary>Frames written so far and the socket writes that carried them.</summary>
    internal (long Frames, long Writes) WriteCounts => (_outbox.FramesWritten, _outbox.Writes);

    /// <summary>Completes when the connection is gone and its close handler has run.</summary>
    internal Task Completion => _completion.Task;

    /// <summary>Close code the peer sent, once it has sent one.</summary>
    public int? PeerCloseCode { get; private set; }

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
        _outbox.ReplaceWithClose(OutgoingMessage.Close(WebSocketCloseCode.PolicyViolation, "Too slow: send queue overflowed"));
        ScheduleCloseTimeout();
    }

    /// <summary>Drops the connection at once, without a closing handshake.</summary>
    public void Abort()
    {
        if (_aborted.IsCancellationRequested)
        {
            return;
        }
        try
        {
            _aborted.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        _outbox.Discard();
        // Closing the socket ends any pending read or write with an error, which ends the receive loop.
        _socket.Dispose();
    }

    /// <summary>If the peer does not answer our close in time, the socket is closed anyway (RFC 6455 §7.1.1).</summary>
    private void ScheduleCloseTimeout()
    {
        _ = Task.Delay(_options.CloseTimeout, _aborted.Token).ContinueWith(
            static (t, state) =>
            {
                if (!t.IsCanceled)
                {
                    ((WebSocketConnection)state!).Abort();
                }
            },
            this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void OnWriteFailed(Exception? error)
    {
        _logger.LogDebug(error, "Write to connection {Id} from {Remote} failed", Id, RemoteEndPoint);
        Abort();
    }

    /// <summary>Called by the server's keepalive sweep: pings a quiet peer, drops a dead one or one whose write is stuck.</summary>
    internal void CheckAlive(long now, long intervalMs, long timeoutMs, long writeTimeoutMs)
    {
        var writeStarted = _stream.WriteStartedTicks;
        if (writeStarted != 0 && now - writeStarted > writeTimeoutMs)
        {
            _logger.LogInformation("Connection {Id} from {Remote}: a write has been stuck for {Ms} ms; dropping it", Id, RemoteEndPoint, now - writeStarted);
            Abort();
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
            _outbox.TryEnqueue(OutgoingMessage.Ping());
        }
    }
}
