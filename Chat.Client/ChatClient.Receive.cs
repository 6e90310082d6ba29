using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using Fleck.Chat.Client.Connection;
using Fleck.Chat.Client.Wire;

namespace Fleck.Chat.Client;

public sealed partial class ChatClient
{
    // A receive buffer grows to the largest message; the server's own default message limit is 64 KiB.
    private const int ReceiveChunk = 8 * 1024;

    /// <summary>One connection's receive loop: reads events until the connection ends, and says how it ended.</summary>
    private async Task<SessionEnd> ReceiveAsync(ClientWebSocket socket, long session, TaskCompletionSource signedIn)
    {
        var buffer = new ArrayBufferWriter<byte>(ReceiveChunk);
        ChatErrorException? lastError = null;
        SessionEnd end;
        try
        {
            while (true)
            {
                buffer.ResetWrittenCount();
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.GetMemory(ReceiveChunk), _lifetime.Token).ConfigureAwait(false);
                    buffer.Advance(result.Count);
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    end = new SessionEnd((int?)socket.CloseStatus, $"closed by the server: {(int?)socket.CloseStatus} {socket.CloseStatusDescription}".TrimEnd(), lastError);
                    await AnswerCloseAsync(socket).ConfigureAwait(false);
                    break;
                }
                if (result.MessageType == WebSocketMessageType.Text && WireJson.Decode(buffer.WrittenSpan) is { } e)
                {
                    if (e.Type == "error")
                    {
                        lastError = EventParser.Exception(e);
                    }
                    await DispatchAsync(e, socket, session, signedIn).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException or ChannelClosedException)
        {
            end = new SessionEnd(null, "connection lost: " + e.Message, lastError);
        }
        await GoOfflineAsync(socket).ConfigureAwait(false);
        socket.Dispose();
        signedIn.TrySetException(new SessionEndedException(end));
        return end;
    }

    /// <summary>Completes the close handshake the server began (RFC 6455 §5.5.1: the endpoint answers with a Close frame).</summary>
    private static async Task AnswerCloseAsync(ClientWebSocket socket)
    {
        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The server is gone already; nothing is lost by not answering.
        }
    }

    /// <summary>Handles one server event: tracks the streams, settles what waited for it, and yields it.</summary>
    private async ValueTask DispatchAsync(WireEvent e, ClientWebSocket socket, long session, TaskCompletionSource signedIn)
    {
        var stream = e.Room is { } room ? room : StreamPositions.Own;
        switch (e.Type)
        {
            case "users":
                if (e.Epoch is { } epoch && _streams.Entered(StreamPositions.Own, epoch, e.Offset ?? 0))
                {
                    await EmitAsync(new GapEvent(null)).ConfigureAwait(false);
                }
                await EmitAsync(new UsersEvent(e.Users ?? [], e.You ?? "", e.Read)).ConfigureAwait(false);
                await GoLiveAsync(socket, session).ConfigureAwait(false);
                await SetStateAsync(ChatClientState.Connected, null).ConfigureAwait(false);
                signedIn.TrySetResult();
                break;
            case "joined" when e.Room is { } joined:
                if (e.Epoch is { } roomEpoch && _streams.Entered(joined, roomEpoch, e.Offset ?? 0))
                {
                    await EmitAsync(new GapEvent(joined)).ConfigureAwait(false);
                }
                await EmitAsync(new JoinedEvent(joined, e.Users ?? [], e.Read)).ConfigureAwait(false);
                _joins.Complete(joined);
                break;
            case "left" when e.Room is { } left:
                _streams.Forget(left);
                await EmitAsync(new LeftEvent(left)).ConfigureAwait(false);
                _leaves.Complete(left);
                break;
            case "message" when _streams.Accept(stream, e.Offset ?? 0):
                await EmitAsync(new MessageEvent(e.Room, EventParser.Message(e))).ConfigureAwait(false);
                break;
            case "history" when _streams.Accept(stream, e.Offset ?? 0):
                await EmitAsync(new HistoryEvent(e.Room, EventParser.Message(e))).ConfigureAwait(false);
                break;
            case "private" when _streams.Accept(StreamPositions.Own, e.Offset ?? 0):
                await EmitAsync(new PrivateEvent(EventParser.Message(e))).ConfigureAwait(false);
                break;
            case "recovered":
                await EmitAsync(new RecoveredEvent(e.Room, e.Recovered, e.Count)).ConfigureAwait(false);
                if (_streams.Recovered(stream, e.Recovered))
                {
                    await EmitAsync(new GapEvent(e.Room)).ConfigureAwait(false);
                }
                break;
            case "join" when e.User is { } user:
                await EmitAsync(new JoinEvent(e.Room, user)).ConfigureAwait(false);
                break;
            case "leave" when e.User is { } user:
                await EmitAsync(new LeaveEvent(e.Room, user)).ConfigureAwait(false);
                break;
            case "typing" when e.User is { } user:
                await EmitAsync(new TypingEvent(e.Room, user)).ConfigureAwait(false);
                break;
            case "read":
                await EmitAsync(new ReadEvent(e.Room, e.Offset ?? 0)).ConfigureAwait(false);
                break;
            case "rooms":
                await EmitAsync(EventParser.Rooms(e)).ConfigureAwait(false);
                break;
            case "ack" when e.Id is { } id:
                _sends.Acknowledge(id, new SendResult(e.Offset ?? 0, e.Duplicate));
                break;
            case "page":
                _pages.Answer(EventParser.Page(e));
                break;
            case "error":
                await SettleErrorAsync(e).ConfigureAwait(false);
                await EmitAsync(EventParser.Error(e)).ConfigureAwait(false);
                break;
            default:
                // A duplicate message, `refreshed`, or an event type newer than this client: nothing to do.
                break;
        }
    }

    /// <summary>Fails what the error answers: the send with its id, a join or leave of its room, or the oldest history request.</summary>
    private async ValueTask SettleErrorAsync(WireEvent e)
    {
        var error = EventParser.Exception(e);
        if (e.Id is { } id && _sends.Fail(id, error))
        {
            return;
        }
        var room = e.Room is null ? null : EventParser.RoomKey(e.Room);
        if (room is not null && e.Code == "not_in_room" && !_leaves.Fail(room, error))
        {
            _pages.Fail(request => request.Room == room, error);
            return;
        }
        if (room is not null && _joins.Fail(room, error))
        {
            await ForgetRoomAsync(room).ConfigureAwait(false);
            return;
        }
        if (e.Code == "invalid_request")
        {
            _pages.Fail(_ => true, error);
        }
    }

    private async ValueTask EmitAsync(ChatEvent e)
    {
        try
        {
            await _events.Writer.WriteAsync(e, _lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            // Closing: nobody reads any more.
        }
    }
}
