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
