using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Fleck.Chat.Modes;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Modes.Support;

/// <summary>
/// A member's connection without a socket, for tests of the room's orderings: it records what is
/// sent to it, and its close completes at once, running <see cref="Closed"/> (what the server does
/// when a connection has gone) before <see cref="CloseAsync"/> returns.
/// </summary>
internal sealed class RecordingMemberConnection(string path) : IMemberConnection
{
    private readonly Lock _lock = new();
    private readonly List<(WebSocketMessageType Type, byte[] Payload)> _sent = [];
    private int _closed;

    public Func<Task>? Closed { get; set; }

    public int? CloseCode { get; private set; }

    public IPEndPoint? RemoteEndPoint { get; } = new(IPAddress.Loopback, 40_000);

    public string Path => path;

    public string Query => "";

    public IReadOnlyDictionary<string, string> Headers { get; } = new Dictionary<string, string>();

    public string? SubProtocol => null;

    public bool IsSecure => false;

    public bool IsOpen => Volatile.Read(ref _closed) == 0;

    /// <summary>The JSON events sent so far, in order.</summary>
    public IReadOnlyList<JsonElement> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _sent.Where(m => m.Type == WebSocketMessageType.Text).Select(m => JsonDocument.Parse(m.Payload).RootElement)];
            }
        }
    }

    /// <summary>Events as <c>type:msg</c> (join and leave as <c>type:user</c>), for comparing whole sequences.</summary>
    public IReadOnlyList<string> Summary =>
        [.. Events.Select(e => e.GetProperty("type").GetString() + ":" + (e.TryGetProperty("user", out var user) ? user.GetString() : e.GetProperty("msg").GetString()))];

    public IReadOnlyList<(WebSocketMessageType Type, byte[] Payload)> Sent
    {
        get
        {
            lock (_lock)
            {
                return [.. _sent];
            }
        }
    }

    /// <summary>The transport's default send-queue bound, unless a test sets another.</summary>
    public int QueueLimit { get; init; } = new WebSocketServerOptions().MaxQueuedMessages;

    public bool Send(OutgoingMessage message)
    {
        if (!IsOpen)
        {
            return false;
        }
        lock (_lock)
        {
            _sent.Add((message.IsBinary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, message.Payload.ToArray()));
        }
        return true;
    }

    public async Task CloseAsync(int code, string? reason, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        CloseCode = code;
        if (Closed is { } closed)
        {
            await closed();
        }
    }

    public static string Text(byte[] payload) => Encoding.UTF8.GetString(payload);
}
