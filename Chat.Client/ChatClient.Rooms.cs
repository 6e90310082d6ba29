using System.Text.RegularExpressions;
using Fleck.Chat.Client.Wire;

namespace Fleck.Chat.Client;

public sealed partial class ChatClient
{
    // The rooms this client is in, or asked to be in: each is joined again (resuming) on every new
    // connection. Guarded by _sendLock, so a join is never sent twice on one connection.
    private readonly HashSet<string> _rooms = new(StringComparer.Ordinal);

    /// <summary>Joins <paramref name="room"/> (rooms mode); completes when the server confirms it. The client stays in it across reconnects.</summary>
    /// <exception cref="ArgumentException">Not a room name the server accepts.</exception>
    /// <exception cref="ChatErrorException">The server refused it (<c>too_many_rooms</c>, <c>too_many_streams</c>, …).</exception>
    public async Task JoinAsync(string room, CancellationToken cancellationToken = default)
    {
        var key = RoomName(room);
        if (!ValidRoom().IsMatch(key))
        {
            throw new ArgumentException("A room name is a letter or digit, then up to 31 letters, digits, '_' or '-'.", nameof(room));
        }
        ThrowIfClosed();
        var joined = _joins.Add(key, cancellationToken);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_rooms.Add(key))
            {
                // Asked before: done if the server confirmed it, else the join under way answers this call too.
                if (_streams.Get(key) is not null)
                {
                    _joins.Complete(key);
                }
            }
            else if (_live is { } socket)
            {
                await WriteAsync(socket, Commands.Join(key, _streams.Get(key))).ConfigureAwait(false);
            }
        }
        finally
        {
            _sendLock.Release();
        }
        await joined.ConfigureAwait(false);
    }

    /// <summary>Leaves <paramref name="room"/>; completes when the server confirms it (at once while disconnected: the room is not joined again).</summary>
    public async Task LeaveAsync(string room, CancellationToken cancellationToken = default)
    {
        var key = RoomName(room);
        ThrowIfClosed();
        var left = _leaves.Add(key, cancellationToken);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _rooms.Remove(key);
            _streams.Forget(key);
            if (_live is { } socket)
            {
                await WriteAsync(socket, Commands.Leave(key)).ConfigureAwait(false);
            }
            else
            {
                _leaves.Complete(key);
            }
        }
        finally
        {
            _sendLock.Release();
        }
        await left.ConfigureAwait(false);
    }

    /// <summary>A room the client asked to join was refused: it is not joined again either.</summary>
    private async Task ForgetRoomAsync(string room)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _rooms.Remove(room);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>The server's room names after lower-casing (PROTOCOL.md, Rooms).</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,31}$")]
    private static partial Regex ValidRoom();
}
