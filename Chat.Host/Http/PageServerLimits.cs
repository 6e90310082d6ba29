namespace Fleck.Chat.Host.Http;

/// <summary>
/// What one peer, or many, may hold of the pages port: how many connections at once, and how long
/// a connection may take to send its request headers or sit idle between requests before it is closed.
/// </summary>
/// <param name="MaxConnections">Connections open at once; Kestrel closes any beyond them as soon as it accepts them.</param>
/// <param name="HeadersTimeout">From a request's first byte to the end of its headers.</param>
/// <param name="KeepAliveTimeout">Idle time allowed on a connection before its first request and between requests.</param>
internal sealed record PageServerLimits(int MaxConnections, TimeSpan HeadersTimeout, TimeSpan KeepAliveTimeout)
{
    public const int DefaultMaxConnections = 1000;
    public static readonly TimeSpan DefaultHeadersTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultKeepAliveTimeout = TimeSpan.FromSeconds(30);
}
