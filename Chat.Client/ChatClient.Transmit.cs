using System.Net.WebSockets;
using Fleck.Chat.Client.Sending;
using Fleck.Chat.Client.Wire;

namespace Fleck.Chat.Client;

public sealed partial class ChatClient
{
    // One send at a time on a WebSocket; the lock also orders what a new connection sends first
    // (joins, read markers, unacknowledged sends, unanswered history requests) before anything new.
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    // Read markers set while disconnected, by stream: only the latest of each goes out on the next connection. Guarded by _sendLock.
    private readonly Dictionary<string, byte[]> _deferred = new(StringComparer.Ordinal);

    // The signed-in connection and its number; null while there is none. Guarded by _sendLock.
    private ClientWebSocket? _live;
    private long _liveSession;

    /// <summary>Sends a send or history request on the live connection unless it already went out on it; while disconnected it waits for the next one.</summary>
    private async Task TransmitAsync(IResendable item)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_live is { } socket && item.SentOn != _liveSession && !item.Settled)
            {
                item.SentOn = _liveSession;
                await WriteAsync(socket, item.Command).ConfigureAwait(false);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Sends a command on the live connection. While there is none, a command with a <paramref name="deferKey"/>
    /// (a read marker) waits for the next connection, only the latest per key; one without (typing, rooms, a
    /// refresh, worth nothing later) is dropped.
    /// </summary>
    private async Task SendCommandAsync(byte[] command, string? deferKey, CancellationToken ct)
    {
        ThrowIfClosed();
        await _sendLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_live is { } socket)
            {
                await WriteAsync(socket, command).ConfigureAwait(false);
            }
            else if (deferKey is not null)
            {
                _deferred[deferKey] = command;
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// A new connection signed in: re-join the rooms (resuming each), then send what waited, oldest
    /// first, with the same ids; only then is the connection open to new sends, so nothing overtakes.
    /// </summary>
    private async Task GoLiveAsync(ClientWebSocket socket, long session)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var room in _rooms)
            {
                await WriteAsync(socket, Commands.Join(room, _streams.Get(room))).ConfigureAwait(false);
            }
            foreach (var command in _deferred.Values)
            {
                await WriteAsync(socket, command).ConfigureAwait(false);
            }
            _deferred.Clear();
            IEnumerable<IResendable> waiting = [.. _sends.Snapshot(), .. _pages.Snapshot()];
            foreach (var item in waiting.Where(i => !i.Settled))
            {
                item.SentOn = session;
                await WriteAsync(socket, item.Command).ConfigureAwait(false);
            }
            _live = socket;
            _liveSession = session;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>The connection <paramref name="socket"/> ended: nothing more goes out on it.</summary>
    private async Task GoOfflineAsync(ClientWebSocket socket)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (ReferenceEquals(_live, socket))
            {
                _live = null;
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Writes one command; the caller holds <see cref="_sendLock"/>. A failure breaks the connection, which the receive loop then replaces.</summary>
    private async Task WriteAsync(ClientWebSocket socket, byte[] command)
    {
        try
        {
            await socket.SendAsync(command, WebSocketMessageType.Text, endOfMessage: true, _lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // Unacknowledged sends stay pending and go again, with their ids, on the next connection.
            socket.Abort();
        }
    }
}
