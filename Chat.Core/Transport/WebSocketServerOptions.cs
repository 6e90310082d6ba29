using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Fleck.Chat.Transport;

/// <summary>
/// Immutable settings of a <see cref="WebSocketServer"/>. Every limit has a default that suits a
/// public chat server; each can be changed with a <c>with</c> expression.
/// </summary>
public sealed record WebSocketServerOptions
{
    /// <summary>Address to listen on. <see cref="IPAddress.IPv6Any"/> listens on IPv4 and IPv6 at once. Default: 127.0.0.1.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>TCP port to listen on; 0 lets the operating system pick one (read it from <see cref="WebSocketServer.Port"/>).</summary>
    public int Port { get; init; } = 8181;

    /// <summary>Largest HTTP upgrade request accepted, request line and headers together. Browsers send under 2 KiB.</summary>
    public int MaxHandshakeBytes { get; init; } = 8 * 1024;

    /// <summary>Time a client has to finish the TLS and HTTP handshakes before the socket is dropped.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest message a client may send, after reassembly of fragments; a larger one is closed with 1009.</summary>
    public int MaxMessageBytes { get; init; } = 64 * 1024;

    /// <summary>Most connections held at once; further clients are answered 503 and closed.</summary>
    public int MaxConnections { get; init; } = 50_000;

    /// <summary>
    /// Most messages waiting to be written to one client; past it the client is a slow reader and is closed with 1008.
    /// History the client is sent on joining or resuming is left out of this limit and <see cref="MaxQueuedBytes"/>,
    /// up to as much again.
    /// </summary>
    public int MaxQueuedMessages { get; init; } = 4096;

    /// <summary>Most bytes waiting to be written to one client; past it the client is closed with 1008.</summary>
    public long MaxQueuedBytes { get; init; } = 4L * 1024 * 1024;

    /// <summary>
    /// Most pings and pongs one client may send in a one-second window; past it the client is closed
    /// with 1008. Each ping makes the server write a pong, so without a budget one client could keep
    /// a core busy answering it. Default 50: browsers never send pings, client libraries ping for
    /// keepalive every few seconds at most, and even a latency probe several times a second stays
    /// far below it. 0 turns the budget off.
    /// </summary>
    public int MaxControlFramesPerSecond { get; init; } = 50;

    /// <summary>
    /// Most data frames one message may arrive in (its first frame and its continuations); past it the
    /// client is closed with 1008. Each fragment costs a parser round, so without a bound one message
    /// of tiny fragments could keep a core busy for as long as the client likes. Default 1024; browsers
    /// send every message in one frame. 0 turns the bound off; at most 1,000,000.
    /// </summary>
    public int MaxFragmentsPerMessage { get; init; } = 1024;

    /// <summary>
    /// Longest time from the first byte of a message to its last (over all its fragments); a message
    /// still incomplete after it is closed with 1008. Without it a client could trickle one message a
    /// byte at a time and hold its buffer for good. Checked by the periodic sweep, so a message may
    /// run over by up to the sweep period. Default 30 s. <see cref="TimeSpan.Zero"/> turns it off.
    /// </summary>
    public TimeSpan MessageAssemblyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Most connections from one client address, upgraded ones and those still in the handshake
    /// together; further sockets from it are answered 429 and closed at once, before anything is read
    /// and before they count toward <see cref="MaxConnections"/>. IPv6 clients are grouped by their
    /// /64 prefix (one host or home network). Default 1000, room for a large NAT. 0 turns it off.
    /// </summary>
    public int MaxConnectionsPerAddress { get; init; } = 1000;

    /// <summary>
    /// Most connections from one client address that are still in the handshake (TLS and HTTP request
    /// not yet complete); further sockets from it are answered 429 and closed at once. A browser opens
    /// one at a time, so this is what keeps one client from filling <see cref="MaxConnections"/> with
    /// sockets that never finish their request. Default 64. 0 turns it off.
    /// </summary>
    public int MaxPendingHandshakesPerAddress { get; init; } = 64;

    /// <summary>
    /// New connections one client address may open per second, on average (a token bucket holding
    /// <see cref="HandshakeBurstPerAddress"/>); past it sockets are answered 429 and closed at once.
    /// Default 50. 0 turns the rate limit off.
    /// </summary>
    public double HandshakesPerSecondPerAddress { get; init; } = 50;

    /// <summary>New connections one client address may open at once before <see cref="HandshakesPerSecondPerAddress"/> applies. Default 100.</summary>
    public int HandshakeBurstPerAddress { get; init; } = 100;

    /// <summary>
    /// Reverse proxies in front of the server. A connection from one of these addresses is not limited
    /// per address when it is accepted; once its request is read, its client is the right-most address
    /// in <c>X-Forwarded-For</c> that is not itself a trusted proxy, the per-address limits apply to
    /// that client, and the connection reports it as its remote address (with port 0). A proxy's
    /// connection that names no such client (no header, or only proxies in it) is not limited per
    /// address; one whose right-most untrusted entry is not an address is treated the same way. The
    /// header is ignored on connections from any other address. IPv4-mapped IPv6 addresses match
    /// their IPv4 form. Null or empty (the default) trusts no one.
    /// </summary>
    public IReadOnlyCollection<IPAddress>? TrustedProxies { get; init; }

    /// <summary>A socket write that has not finished after this long means the peer stopped reading; the connection is aborted.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A peer silent for this long is sent a ping. <see cref="TimeSpan.Zero"/> turns keepalive off.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A pinged peer that sends nothing back within this time is considered dead and dropped.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a closing connection waits for the peer's close frame before the socket is closed anyway.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Origins allowed to connect (compared case-insensitively, e.g. <c>https://chat.example.com</c>); null or empty allows any origin.</summary>
    public IReadOnlyCollection<string>? AllowedOrigins { get; init; }

    /// <summary>Subprotocols the server speaks, in order of preference; the first one the client also offers is selected.</summary>
    public IReadOnlyList<string> SubProtocols { get; init; } = [];

    /// <summary>Accept the permessage-deflate extension (RFC 7692) when a client offers it.</summary>
    public bool EnableCompression { get; init; } = true;

    /// <summary>Certificate for TLS (<c>wss://</c>); null serves plain <c>ws://</c>.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>
    /// Decides who each upgrade request belongs to (e.g. <see cref="Identity.JwtAuthenticator"/>); a
    /// refusal is answered with its HTTP status and nothing is upgraded. Null (the default) lets
    /// everyone in anonymously.
    /// </summary>
    public Identity.IConnectionAuthenticator? Authenticator { get; init; }
}
