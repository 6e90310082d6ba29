using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Fleck.Chat.Tests.Support;

/// <summary>
/// A test client on a real ClientWebSocket. A receive loop runs all the time (a .NET peer only
/// answers pings while receiving) and queues every message, with its type (text or binary) and
/// exact bytes, for the test to read in order: whole, as text, or as a JSON event.
/// </summary>
internal sealed class TypedClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Channel<(WebSocketMessageType Type, byte[] Data)> _inbox = Channel.CreateUnbounded<(WebSocketMessageType, byte[])>();
    private Task? _receiveLoop;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;
    public string? CloseDescription => _socket.CloseStatusDescription;
    public WebSocketState State => _socket.State;
    public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<TypedClient> ConnectAsync(int port, string path, CancellationToken ct)
    {
        var client = new TypedClient();
        await client._socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}{path}"), ct);
        client._receiveLoop = client.ReceiveLoopAsync();
        return client;
    }

    /// <summary>Connects with <paramref name="token"/> as its access token and waits for the <c>users</c> event that confirms the sign-in.</summary>
    public static async Task<TypedClient> ConnectSignedInAsync(int port, string token, CancellationToken ct)
    {
        var client = await ConnectAsync(port, "/websocket?access_token=" + token, ct);
        try
        {
            await client.ReceiveEventAsync("users", ct);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    public Task SendTextAsync(string text, CancellationToken ct) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct);

    public Task SendBinaryAsync(byte[] data, CancellationToken ct) =>
        _socket.SendAsync(data, WebSocketMessageType.Binary, true, ct);

    public Task SendJsonAsync(object payload, CancellationToken ct) => SendTextAsync(JsonSerializer.Serialize(payload), ct);

    public Task JoinRoomAsync(string room, CancellationToken ct) => SendJsonAsync(new { type = "join", room }, ct);

    public Task LeaveRoomAsync(string room, CancellationToken ct) => SendJsonAsync(new { type = "leave", room }, ct);

    public Task SayAsync(string room, string msg, CancellationToken ct) => SendJsonAsync(new { type = "message", room, msg }, ct);

    /// <summary>Joins <paramref name="room"/> and waits for the <c>joined</c> event.</summary>
    public async Task<JsonElement> JoinedAsync(string room, CancellationToken ct)
    {
        await JoinRoomAsync(room, ct);
        return await ReceiveEventAsync("joined", ct);
    }

    /// <summary>Joins <paramref name="room"/> or is refused: the first <c>joined</c> or <c>error</c> of that room.</summary>
    public async Task<JsonElement> TryJoinAsync(string room, CancellationToken ct)
    {
        await JoinRoomAsync(room, ct);
        while (true)
        {
            var e = await ReceiveEventAsync(ct);
            if (IsOf(e, room) && e.Type() is "joined" or "error")
            {
                return e;
            }
        }
    }

    /// <summary>Joins <paramref name="room"/> resuming from <paramref name="since"/> in <paramref name="epoch"/>: the joined event, the offsets of the history events and the recovered event.</summary>
    public async Task<(JsonElement Joined, List<long> History, JsonElement Recovered)> ResumeAsync(string room, long since, string epoch, CancellationToken ct)
    {
        await SendJsonAsync(new { type = "join", room, since, epoch }, ct);
        JsonElement joined = default;
        var history = new List<long>();
        while (true)
        {
            var e = await ReceiveEventAsync(ct);
            if (!IsOf(e, room))
            {
                continue;
            }
            switch (e.Type())
            {
                case "joined":
                    joined = e;
                    break;
                case "history":
                    history.Add(e.Offset());
                    break;
                case "recovered":
                    return (joined, history, e);
            }
        }
    }

    /// <summary>Says <paramref name="msg"/> in <paramref name="room"/> and waits for its echo; returns its offset.</summary>
    public async Task<long> SayAndGetOffsetAsync(string room, string msg, CancellationToken ct)
    {
        await SayAsync(room, msg, ct);
        var e = await ReceiveEventAsync("message", ev => IsOf(ev, room) && ev.Str("msg") == msg, ct);
        return e.Offset();
    }

    /// <summary>Leaves <paramref name="room"/> and waits for the <c>left</c> event of that room.</summary>
    public async Task LeftAsync(string room, CancellationToken ct)
    {
        await LeaveRoomAsync(room, ct);
        await ReceiveRoomEventAsync("left", room, ct);
    }

    /// <summary>
    /// The next whole message with its type. Throws a <see cref="WebSocketException"/> once the
    /// connection has closed, as a read on the socket itself would.
    /// </summary>
    public async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveAsync(CancellationToken ct)
    {
        try
        {
            return await _inbox.Reader.ReadAsync(ct);
        }
        catch (ChannelClosedException)
        {
            throw new WebSocketException($"Closed by the server: {_socket.CloseStatus} {_socket.CloseStatusDescription}");
        }
    }

    /// <summary>The next message as text, whatever its type; a <see cref="ChannelClosedException"/> once the connection has closed.</summary>
    public async Task<string> ReceiveTextAsync(CancellationToken ct) => Encoding.UTF8.GetString((await _inbox.Reader.ReadAsync(ct)).Data);

    /// <summary>The next JSON event.</summary>
    public async Task<JsonElement> ReceiveEventAsync(CancellationToken ct) => JsonDocument.Parse(await ReceiveTextAsync(ct)).RootElement;

    /// <summary>Skips events until one of <paramref name="type"/> arrives.</summary>
    public async Task<JsonElement> ReceiveEventAsync(string type, CancellationToken ct)
    {
        while (true)
        {
            var e = await ReceiveEventAsync(ct);
            if (e.Type() == type)
            {
                return e;
            }
        }
    }

    /// <summary>Skips events until one of <paramref name="type"/> that <paramref name="match"/> accepts; skips binary messages too.</summary>
    public async Task<JsonElement> ReceiveEventAsync(string type, Func<JsonElement, bool> match, CancellationToken ct)
    {
        while (true)
        {
            var (kind, data) = await ReceiveAsync(ct);
            if (kind != WebSocketMessageType.Text)
            {
                continue;
            }
            var e = JsonDocument.Parse(data).RootElement;
            if (e.Type() == type && match(e))
            {
                return e;
            }
        }
    }

    /// <summary>Skips events until the <c>ack</c> of the send with <paramref name="id"/>.</summary>
    public Task<JsonElement> ReceiveAckAsync(string id, CancellationToken ct) => ReceiveEventAsync("ack", e => e.Str("id") == id, ct);

    /// <summary>Skips events until an <c>error</c> carrying <paramref name="id"/> (the send that caused it).</summary>
    public Task<JsonElement> ReceiveErrorForAsync(string id, CancellationToken ct) => ReceiveEventAsync("error", e => e.Str("id") == id, ct);

    /// <summary>Skips events until one of <paramref name="type"/> for <paramref name="room"/>.</summary>
    public async Task<JsonElement> ReceiveRoomEventAsync(string type, string room, CancellationToken ct)
    {
        while (true)
        {
            var e = await ReceiveEventAsync(type, ct);
            if (IsOf(e, room))
            {
                return e;
            }
        }
    }

    private static bool IsOf(JsonElement e, string room) => e.Str("room") == room;

    /// <summary>
    /// Every event in arrival order, up to and including the first that <paramref name="isLast"/>
    /// picks: the way to check that nothing else came before a marker sent after the thing under test.
    /// </summary>
    public async Task<List<JsonElement>> ReceiveEventsUntilAsync(Func<JsonElement, bool> isLast, CancellationToken ct)
    {
        var events = new List<JsonElement>();
        do
        {
            events.Add(await ReceiveEventAsync(ct));
        }
        while (!isLast(events[^1]));
        return events;
    }

    /// <summary>Events up to and including the message carrying <paramref name="marker"/>: a negative check ends on it.</summary>
    public Task<List<JsonElement>> ReceiveUntilMessageAsync(string marker, CancellationToken ct) =>
        ReceiveEventsUntilAsync(e => e.Type() == "message" && e.GetProperty("msg").GetString() == marker, ct);

    /// <summary>Every message in arrival order, as text, up to and including <paramref name="last"/>.</summary>
    public async Task<List<string>> ReceiveTextsUntilAsync(string last, CancellationToken ct)
    {
        var texts = new List<string>();
        do
        {
            texts.Add(await ReceiveTextAsync(ct));
        }
        while (texts[^1] != last);
        return texts;
    }

    /// <summary>
    /// Everything received so far, as text, without waiting. Not a proof that nothing else arrives:
    /// for that, send a marker after and read up to it (<see cref="ReceiveEventsUntilAsync"/>).
    /// </summary>
    public List<string> Drain()
    {
        var list = new List<string>();
        while (_inbox.Reader.TryRead(out var m))
        {
            list.Add(Encoding.UTF8.GetString(m.Data));
        }
        return list;
    }

    public async Task CloseAsync(CancellationToken ct)
    {
        if (_socket.State == WebSocketState.Open)
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", ct);
        }
        await Closed.Task.WaitAsync(ct);
    }

    public void Abort() => _socket.Abort();

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var r = await _socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
                message.Write(buffer, 0, r.Count);
                if (r.EndOfMessage)
                {
                    _inbox.Writer.TryWrite((r.MessageType, message.ToArray()));
                    message.SetLength(0);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            _inbox.Writer.TryComplete();
            Closed.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        if (_receiveLoop is not null)
        {
            await _receiveLoop;
        }
        _socket.Dispose();
    }
}
