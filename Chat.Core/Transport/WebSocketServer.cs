using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Fleck.Chat.Identity;
using Fleck.Chat.Transport.Handshake;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleck.Chat.Transport;

/// <summary>
/// A raw-socket WebSocket server (RFC 6455): it owns the listening socket, answers the HTTP upgrade,
/// keeps the registry of live connections and hands each one to an <see cref="IWebSocketHandler"/>.
/// Stopping it (or disposing it) closes every connection with 1001.
/// </summary>
public sealed class WebSocketServer : IAsyncDisposable
{
    private readonly WebSocketServerOptions _options;
    private readonly IWebSocketHandler _handler;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, WebSocketConnection> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Socket? _listener;
    private Task? _acceptLoop;
    private Timer? _sweep;
    private long _nextId;
    private int _pending;

    // Kept beside the dictionary because ConcurrentDictionary.Count takes every one of its locks,
    // which showed in profiles of the accept path once it held thousands of connections.
    private int _connectionCount;

    // Connections already out of the registry whose close handler is still running; stopping waits for them too.
    private int _closeHandlersRunning;
    private int _stopped;

    // The path of the last connection: most clients ask for the same one, and sharing the string spares each idle connection its own copy.
    private string? _lastPath;

    // Per-address limits; null when every one of them is off.
    private readonly AddressLimiter? _limiter;

    // Reverse proxies whose X-Forwarded-For is believed (normalized addresses); null when none are.
    private readonly HashSet<IPAddress>? _trustedProxies;

    private readonly AcceptFailureThrottle _acceptFailures = new();

    // Descriptors given back when accepting runs out of them, so the rest of the process can still open files.
    private readonly DescriptorReserve _reserve = new(ReservedDescriptors);

    // Once accepting has run out of descriptors: the connections (open and in the handshake) held then, which
    // new ones may not pass until the shortage has been over for a while; 0 when there is no such cap.
    private int _descriptorCap;
    private long _lastDescriptorShortage;

    private const int ReservedDescriptors = 16;
    // Past MaxConnections a client is answered 503 once its request is read, but only this many at a
    // time: under a flood each refusal in flight holds a descriptor, and the rest are answered unread.
    private const int RefusalsInFlight = 32;
    private const long DescriptorCapHoldMs = 60_000;

    /// <summary>Creates a server; nothing listens until <see cref="StartAsync"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception's parameter name is the option's.</exception>
    public WebSocketServer(WebSocketServerOptions options, IWebSocketHandler handler, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
        _handler = handler ?? throw new ArgumentNullException(nameof(handler));
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Fleck.Chat.Transport");
        _limiter = AddressLimiter.For(options);
        if (options.TrustedProxies is { Count: > 0 } proxies)
        {
            _trustedProxies = [.. proxies.Select(ClientAddress.Normalize)];
        }
    }

    /// <summary>The address and port actually bound; valid after <see cref="StartAsync"/>.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)(_listener?.LocalEndPoint ?? throw new InvalidOperationException("The server is not started."));

    /// <summary>The port actually bound (useful when <see cref="WebSocketServerOptions.Port"/> is 0).</summary>
    public int Port => LocalEndPoint.Port;

    /// <summary>Number of open connections: every client that has been answered 101 and whose connection has not ended.</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>Refused handshakes and slow consumers cut, for the chat's metrics.</summary>
    internal TransportCounters Counters { get; } = new();

    /// <summary>The per-address limits, or null when they are all off.</summary>
    internal AddressLimiter? AddressLimits => _limiter;

    /// <summary>Drains this server's outboxes in shared turns (see <see cref="Transport.WriteScheduler"/>).</summary>
    internal WriteScheduler WriteScheduler { get; } = new();

    /// <summary>A snapshot of the open connections.</summary>
    public IReadOnlyCollection<WebSocketConnection> Connections => [.. _connections.Values];

    /// <summary>
    /// Binds and starts accepting. Throws <see cref="SocketException"/> (e.g. AddressAlreadyInUse)
    /// when the address cannot be bound.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_listener is not null)
        {
            throw new InvalidOperationException("The server is already started.");
        }
        var listener = new Socket(_options.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (_options.Address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }
            listener.Bind(new IPEndPoint(_options.Address, _options.Port));
            listener.Listen(1024);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        _listener = listener;
        _reserve.TryAcquire();
        _acceptLoop = AcceptLoopAsync(listener);
        var period = SweepPeriod(_options);
        _sweep = new Timer(static s => ((WebSocketServer)s!).Sweep(), this, period, period);
        _logger.LogDebug("Listening on {EndPoint}", listener.LocalEndPoint);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops accepting, sends close 1001 to every connection and waits for them to finish (close
    /// handlers included), at most <see cref="WebSocketServerOptions.CloseTimeout"/>; stragglers are
    /// then aborted, and their close handlers get one more <see cref="WebSocketServerOptions.CloseTimeout"/>.
    /// It always completes its cleanup: a close handler that is still running after that is logged
    /// and left behind, never thrown about.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        if (_sweep is not null)
        {
            await _sweep.DisposeAsync().ConfigureAwait(false);
        }
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        _reserve.Dispose();
        foreach (var connection in _connections.Values)
        {
            _ = connection.CloseAsync(WebSocketCloseCode.GoingAway, "Server shutting down");
        }
        SignalIfDrained();
        try
        {
            await _drained.Task.WaitAsync(_options.CloseTimeout, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
        }
        foreach (var connection in _connections.Values)
        {
            connection.Abort();
        }
        // Aborted connections finish at once (their pending reads fail as the sockets close); what
        // can still hold the drain up is a close handler that does not return.
        try
        {
            await _drained.Task.WaitAsync(_options.CloseTimeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("Stopped with {Connections} connections and {Handlers} close handlers still running",
                ConnectionCount, Volatile.Read(ref _closeHandlersRunning));
        }
    }

    /// <summary>The same string as the last connection's path when the paths are equal, otherwise <paramref name="path"/> (kept for the next one).</summary>
    internal string SharePath(string path)
    {
        var last = Volatile.Read(ref _lastPath);
        if (path == last)
        {
            return last;
        }
        Volatile.Write(ref _lastPath, path);
        return path;
    }

    /// <summary>Counts a connection in before its 101 answer is sent, so no client that has its 101 is left uncounted.</summary>
    private void Register(WebSocketConnection connection)
    {
        _connections[connection.Id] = connection;
        Interlocked.Increment(ref _connectionCount);
    }

    /// <summary>A connection whose 101 answer could not be sent: it never ran, so no close handler follows.</summary>
    private void Unregister(WebSocketConnection connection)
    {
        if (_connections.TryRemove(connection.Id, out _))
        {
            Interlocked.Decrement(ref _connectionCount);
        }
        SignalIfDrained();
    }

    /// <summary>A connection has ended: out of the registry at once; its close handler runs next (<see cref="CloseHandled"/>).</summary>
    internal void Remove(WebSocketConnection connection)
    {
        Interlocked.Increment(ref _closeHandlersRunning);
        if (_connections.TryRemove(connection.Id, out _))
        {
            Interlocked.Decrement(ref _connectionCount);
            // The address it was counted under is the one it reports: its socket's, or the client a trusted proxy named.
            if (_limiter is not null && connection.RemoteEndPoint?.Address is { } address && !IsTrustedProxy(address))
            {
                _limiter.Release(ClientAddress.Of(address));
            }
        }
    }

    private bool IsTrustedProxy(IPAddress address) => _trustedProxies is not null && _trustedProxies.Contains(ClientAddress.Normalize(address));

    /// <summary>The close handler of a connection passed to <see cref="Remove"/> has returned.</summary>
    internal void CloseHandled()
    {
        Interlocked.Decrement(ref _closeHandlersRunning);
        SignalIfDrained();
    }

    private void SignalIfDrained()
    {
        if (_stopping.IsCancellationRequested && _connections.IsEmpty && Volatile.Read(ref _pending) == 0 && Volatile.Read(ref _closeHandlersRunning) == 0)
        {
            _drained.TrySetResult();
        }
    }

    /// <inheritdoc cref="StopAsync"/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private static TimeSpan SweepPeriod(WebSocketServerOptions o)
    {
        // With identities the sweep also ends expired sessions, which must close within 5 s of expiry.
        var expiryCheck = o.Authenticator is null ? TimeSpan.Zero : TimeSpan.FromSeconds(2);
        var shortest = new[] { o.KeepAliveInterval, o.KeepAliveTimeout, o.WriteTimeout, o.CloseTimeout, o.MessageAssemblyTimeout, expiryCheck }.Where(t => t > TimeSpan.Zero).DefaultIfEmpty(TimeSpan.FromSeconds(1)).Min();
        // Half the shortest period bounds how late a check can be; below 50 ms the sweep itself would cost.
        return TimeSpan.FromMilliseconds(Math.Max(50, shortest.TotalMilliseconds / 2));
    }

    private void Sweep()
    {
        var now = Environment.TickCount64;
        var interval = (long)_options.KeepAliveInterval.TotalMilliseconds;
        var timeout = (long)_options.KeepAliveTimeout.TotalMilliseconds;
        var writeTimeout = (long)_options.WriteTimeout.TotalMilliseconds;
        var closeTimeout = (long)_options.CloseTimeout.TotalMilliseconds;
        var assemblyTimeout = (long)_options.MessageAssemblyTimeout.TotalMilliseconds;
        var checkExpiry = _options.Authenticator is not null;
        var utcNow = DateTimeOffset.UtcNow;
        // Enumerating the dictionary itself takes no locks and copies nothing, unlike .Values.
        foreach (var (_, connection) in _connections)
        {
            connection.CheckAlive(now, interval, timeout, writeTimeout, closeTimeout, assemblyTimeout);
            if (checkExpiry)
            {
                connection.CheckExpiry(utcNow);
            }
        }
        _limiter?.Prune();
        LiftDescriptorCapWhenOver(now);
    }

    /// <summary>
    /// Accepting has run out of descriptors: the reserve goes back to the process, and new connections are
    /// held to the number open now, so what the reserve freed stays free for everything else.
    /// </summary>
    private void OnDescriptorShortage()
    {
        Volatile.Write(ref _lastDescriptorShortage, Environment.TickCount64);
        _reserve.Release();
        if (Volatile.Read(ref _descriptorCap) != 0)
        {
            return;
        }
        var held = Math.Max(1, Volatile.Read(ref _connectionCount) + Volatile.Read(ref _pending));
        Volatile.Write(ref _descriptorCap, held);
        _logger.LogWarning("Out of file descriptors with {Connections} connections: further clients are refused with 503 while that many are open. " +
            "Raise the open-file limit (ulimit -n) or lower the connection limit.", held);
    }

    /// <summary>A minute after the last shortage, and once the reserve can be taken again, the connection limit alone applies again.</summary>
    private void LiftDescriptorCapWhenOver(long now)
    {
        if (Volatile.Read(ref _descriptorCap) != 0 && now - Volatile.Read(ref _lastDescriptorShortage) > DescriptorCapHoldMs && _reserve.TryAcquire())
        {
            Volatile.Write(ref _descriptorCap, 0);
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // Accept failures must not end the loop. A reset before accept is the peer's affair: try again at
                // once. Anything else (out of descriptors, buffers or memory) would fail again at once, so the
                // loop waits, longer each time, and says so once in a while rather than once per failure.
                if (!AcceptFailureThrottle.IsResourceShortage(ex.SocketErrorCode))
                {
                    _logger.LogDebug("Accept failed: {Error}", ex.SocketErrorCode);
                    continue;
                }
                if (ex.SocketErrorCode == SocketError.TooManyOpenSockets)
                {
                    OnDescriptorShortage();
                }
                var delay = _acceptFailures.OnFailure(out var failures, out var seconds);
                if (failures > 0)
                {
                    _logger.LogWarning("Accepting paused: {Failures} accept failures in the last {Seconds} s ({Error}); retrying with a back-off of up to 1 s. " +
                        "Raise the open-file limit (ulimit -n) or lower the connection limit.", failures, seconds, ex.SocketErrorCode);
                }
                try
                {
                    await Task.Delay(delay, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            _acceptFailures.OnAccepted();
            socket.NoDelay = true;
            var address = default(ClientAddress);
            var limited = false;
            var viaProxy = false;
            if ((_limiter is not null || _trustedProxies is not null) && SafeRemote(socket) is IPEndPoint remote)
            {
                // A trusted proxy's client is only known once its request is read; limited then, not here.
                viaProxy = IsTrustedProxy(remote.Address);
                if (_limiter is not null && !viaProxy)
                {
                    address = ClientAddress.Of(remote.Address);
                    var verdict = _limiter.TryAdmit(address, handshaking: true);
                    if (verdict != AddressVerdict.Admitted)
                    {
                        RefuseAtAccept(socket, address, verdict);
                        continue;
                    }
                    limited = true;
                }
            }
            // Counted as pending from here, so the checks below and those of the sockets right behind it see it.
            var held = Interlocked.Increment(ref _pending) + Volatile.Read(ref _connectionCount);
            var cap = Volatile.Read(ref _descriptorCap);
            if ((cap != 0 && held > cap) || held > (long)_options.MaxConnections + RefusalsInFlight)
            {
                // Out of descriptors a while ago, or refusing many already: no handshake may hold one more, so no reading either.
                Interlocked.Decrement(ref _pending);
                if (limited)
                {
                    _limiter!.HandshakeEnded(address, upgraded: false);
                }
                Counters.HandshakeRefused(HandshakeRefusalReason.ServerFull);
                SendAndClose(socket, UpgradeNegotiator.ServerFullAnswer.Response);
                SignalIfDrained();
                continue;
            }
            var admitted = held <= _options.MaxConnections;
            ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.server.HandleAsync(s.socket, s.admitted, s.address, s.limited, s.viaProxy),
                (server: this, socket, admitted, address, limited, viaProxy), preferLocal: false);
        }
    }

    /// <summary>
    /// A socket from an address over its limits: answered 429 at once, before anything is read and
    /// without counting toward <see cref="WebSocketServerOptions.MaxConnections"/>, and closed.
    /// </summary>
    private void RefuseAtAccept(Socket socket, ClientAddress address, AddressVerdict verdict)
    {
        Counters.HandshakeRefused(verdict == AddressVerdict.TooFast ? HandshakeRefusalReason.AddressRate : HandshakeRefusalReason.AddressLimit);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug("Refused a connection from {Address}: {Verdict}", address, verdict);
        }
        SendAndClose(socket, UpgradeNegotiator.TooManyFromAddress.Response);
    }

    /// <summary>Answers a socket nothing has been read from, and closes it; a fresh socket's send buffer takes the short answer at once.</summary>
    private static void SendAndClose(Socket socket, byte[] answer)
    {
        try
        {
            socket.Blocking = false;
            socket.Send(answer);
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
        }
        socket.Dispose();
    }

    /// <param name="socket">The accepted socket, already counted as pending.</param>
    /// <param name="admitted">Whether it fits under <see cref="WebSocketServerOptions.MaxConnections"/>; if not, it is answered 503.</param>
    /// <param name="address">The address it counts under when <paramref name="limited"/>.</param>
    /// <param name="limited">Whether it was admitted by the per-address limits, and is to be released from them.</param>
    /// <param name="viaProxy">Whether it comes from a trusted proxy, whose X-Forwarded-For names the client.</param>
    private async Task HandleAsync(Socket socket, bool admitted, ClientAddress address, bool limited, bool viaProxy)
    {
        WebSocketConnection? connection = null;
        try
        {
            connection = await HandshakeAsync(socket, admitted, viaProxy).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (ex is OperationCanceledException && !_stopping.IsCancellationRequested)
            {
                Counters.HandshakeRefused(HandshakeRefusalReason.Timeout);
            }
            _logger.LogDebug("Handshake from {Remote} failed: {Error}", SafeRemote(socket), ex.Message);
        }
        finally
        {
            // A connection that got its 101 is registered by now, so it is counted on one side or the other throughout.
            Interlocked.Decrement(ref _pending);
            if (limited)
            {
                // An upgraded connection stays counted for its address until it is removed.
                _limiter!.HandshakeEnded(address, upgraded: connection is not null);
            }
        }
        if (connection is null)
        {
            socket.Dispose();
            SignalIfDrained();
            return;
        }
        if (_stopping.IsCancellationRequested)
        {
            _ = connection.CloseAsync(WebSocketCloseCode.GoingAway, "Server shutting down");
        }
        // Not awaited: an idle connection should not keep this method's state alive as well.
        _ = connection.RunAsync(_handler, _stopping.Token);
    }

    private async Task<WebSocketConnection?> HandshakeAsync(Socket socket, bool admitted, bool viaProxy)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(_options.HandshakeTimeout);
        // The timeout closes the socket rather than riding along with the reads: a socket keeps the token of
        // its last pending read in its cached read state, and with it this source, for the connection's life.
        var guard = new HandshakeSocketGuard(socket);
        using var closeOnTimeout = timeout.Token.UnsafeRegister(static s => ((HandshakeSocketGuard)s!).CloseUnlessHandedOver(), guard);
        try
        {
            return await NegotiateAsync(socket, guard, admitted, viaProxy, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && timeout.IsCancellationRequested)
        {
            throw new OperationCanceledException("The handshake did not complete in time.", ex, timeout.Token);
        }
    }

    private async Task<WebSocketConnection?> NegotiateAsync(Socket socket, HandshakeSocketGuard guard, bool admitted, bool viaProxy, CancellationToken timeout)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (_options.Certificate is { } certificate)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, timeout).ConfigureAwait(false);
            }
            var read = await HandshakeReader.ReadAsync(stream, _options.MaxHandshakeBytes, CancellationToken.None).ConfigureAwait(false);
            // Behind a trusted proxy the client is the one it names, and the per-address limits apply to that client now.
            var remote = SafeRemote(socket) as IPEndPoint;
            ClientAddress? forwarded = null;
            var addressVerdict = AddressVerdict.Admitted;
            if (viaProxy && read.Status == HandshakeReadStatus.Complete
                && ForwardedFor.Client(read.Request!.Header("X-Forwarded-For"), _trustedProxies!) is { } client)
            {
                remote = new IPEndPoint(client, 0);
                if (_limiter is not null)
                {
                    var key = ClientAddress.Of(client);
                    addressVerdict = _limiter.TryAdmit(key, handshaking: false);
                    forwarded = addressVerdict == AddressVerdict.Admitted ? key : null;
                }
            }
            WebSocketConnection? connection = null;
            try
            {
                connection = await NegotiateAsync(socket, guard, stream, read, remote, admitted, addressVerdict, timeout).ConfigureAwait(false);
                return connection;
            }
            finally
            {
                if (forwarded is { } key && connection is null)
                {
                    _limiter!.Release(key);
                }
            }
        }
        catch
        {
            // The TLS handshake, the request read or the answer failed: whatever wraps the socket goes
            // with it (an SslStream holds native TLS state until disposed). Disposing twice is harmless.
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<WebSocketConnection?> NegotiateAsync(Socket socket, HandshakeSocketGuard guard, Stream stream, HandshakeRead read, IPEndPoint? remote, bool admitted,
        AddressVerdict addressVerdict, CancellationToken timeout)
    {
        var outcome = read.Status switch
        {
            HandshakeReadStatus.Closed => null,
            HandshakeReadStatus.TooLarge => UpgradeNegotiator.TooLarge(),
            HandshakeReadStatus.Malformed => UpgradeNegotiator.Malformed("The request is not well-formed HTTP/1.1."),
            _ when addressVerdict != AddressVerdict.Admitted => UpgradeNegotiator.TooManyFromAddress,
            _ when !admitted => UpgradeNegotiator.ServerFull(),
            _ => UpgradeNegotiator.Negotiate(read.Request!, _options, _handler.AcceptsPath),
        };
        if (outcome is null)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            return null;
        }
        ChatIdentity? identity = null;
        var refusedByAuthenticator = false;
        if (outcome.Accepted && _options.Authenticator is not null)
        {
            (outcome, identity) = await HandshakeAuthentication.AuthenticateAsync(outcome, read.Request!, remote,
                _options, _handler, _logger, timeout).ConfigureAwait(false);
            refusedByAuthenticator = !outcome.Accepted;
        }
        var banned = false;
        if (outcome.Accepted && await UpgradeGate.CheckAsync(_handler, read.Request!.Path, identity, timeout).ConfigureAwait(false) is { } refusal)
        {
            (outcome, banned) = (refusal, true);
        }
        if (!outcome.Accepted)
        {
            // A 403 from the authenticator is an identity that may not join, not a foreign origin.
            Counters.HandshakeRefused(banned ? HandshakeRefusalReason.Banned
                : refusedByAuthenticator && outcome.Status == 403 ? HandshakeRefusalReason.Forbidden
                : addressVerdict == AddressVerdict.TooFast ? HandshakeRefusalReason.AddressRate
                : addressVerdict != AddressVerdict.Admitted ? HandshakeRefusalReason.AddressLimit
                : HandshakeRefusalReasons.ForStatus(outcome.Status));
            await SendHandshakeAnswerAsync(socket, stream, outcome.Response, timeout).ConfigureAwait(false);
            _logger.LogDebug("Refused handshake from {Remote}: {Status}", remote, outcome.Status);
            // Half-close so the refusal is delivered before the socket goes, even if the client sent more.
            socket.Shutdown(SocketShutdown.Send);
            await stream.DisposeAsync().ConfigureAwait(false);
            return null;
        }
        var id = Interlocked.Increment(ref _nextId);
        var connectionStream = new ConnectionStream(stream, read.Leftover, _options.MaxMessageBytes, _options.MaxControlFramesPerSecond, _options.MaxFragmentsPerMessage);
        var connection = new WebSocketConnection(id, socket, connectionStream, read.Request!, outcome, _options, _logger, this, remote)
        {
            Identity = identity,
        };
        if (!guard.TryHandOver())
        {
            // The deadline (or the server stopping) closed the socket just now.
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new OperationCanceledException("The handshake did not complete in time.", timeout);
        }
        // Counted before the client can hold its 101; its outbox stays parked until the 101 is out,
        // so a close sent meanwhile (the server stopping) cannot overtake it.
        Register(connection);
        try
        {
            await SendHandshakeAnswerAsync(socket, stream, outcome.Response, timeout).ConfigureAwait(false);
        }
        catch
        {
            connection.Abort();
            Unregister(connection);
            throw;
        }
        connection.StartWriting();
        _logger.LogDebug("Connection {Id} from {Remote} opened {Path}", id, connection.RemoteEndPoint, connection.Path);
        return connection;
    }

    private static async ValueTask SendHandshakeAnswerAsync(Socket socket, Stream stream, byte[] response, CancellationToken cancellationToken)
    {
        if (stream is NetworkStream)
        {
            // A fresh socket's send buffer always takes the short answer at once. Sending it
            // synchronously spares every idle connection the async send state it would otherwise keep.
            socket.Send(response);
        }
        else
        {
            await stream.WriteAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    private static EndPoint? SafeRemote(Socket socket)
    {
        try
        {
            return socket.RemoteEndPoint;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }
}
