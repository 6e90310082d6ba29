namespace Fleck.Chat.Client;

/// <summary>
/// How a <see cref="ChatClient"/> connects: where, as whom, and its reconnect and send policies.
/// Give exactly one of <see cref="Nickname"/>, <see cref="Token"/> or <see cref="GetToken"/>.
/// </summary>
public sealed record ChatClientOptions
{
    /// <summary>The chat server's WebSocket address, <c>ws://host:port</c> (or <c>wss://</c>); the client adds <c>/websocket</c>.</summary>
    public required Uri Server { get; init; }

    /// <summary>The nickname to sign in with, when the server runs without identity.</summary>
    public string? Nickname { get; init; }

    /// <summary>An access token (JWT) to sign in with, when the server checks identity. It is never renewed.</summary>
    public string? Token { get; init; }

    /// <summary>
    /// Gets an access token: called to connect, again shortly before the token's <c>exp</c> (the new one
    /// is sent over the live connection), and when the server refuses or closes for an expired token.
    /// </summary>
    public Func<CancellationToken, ValueTask<string>>? GetToken { get; init; }

    /// <summary>How long a send may wait for its acknowledgement, across reconnects, before it fails with
    /// <see cref="TimeoutException"/>. Default 9 minutes: under the server's default 10-minute dedup window,
    /// so a re-send is never numbered twice.</summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromMinutes(9);

    /// <summary>The first reconnect waits at most this long; each failed attempt doubles it (full jitter). Default 0.5 s.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The most a reconnect ever waits. Default 20 s.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How many events may wait for <see cref="ChatClient.ReadEventsAsync"/>; when it is full the client stops
    /// reading the socket until there is room (backpressure, nothing dropped). Default 4096, the server's own queue limit.</summary>
    public int EventCapacity { get; init; } = 4096;

    /// <summary>How long one connection attempt (socket and sign-in) may take. Default 15 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);
}
