using System.Net.WebSockets;
using Fleck.Chat.Client.Connection;

namespace Fleck.Chat.Client;

public sealed partial class ChatClient
{
    // How often a reconnect refused with 4001 (nickname taken) is tried again: the server may not have
    // seen the dropped connection close yet, and holds the nickname for it until it does.
    private const int NicknameRetries = 3;

    private Task _run = Task.CompletedTask;
    private Task _refresh = Task.CompletedTask;
    private long _sessions;

    /// <summary>
    /// Connects and signs in; completes once the server has sent <see cref="UsersEvent"/>. From then on the
    /// client reconnects by itself until <see cref="CloseAsync"/> or a close the server means for good
    /// (nickname taken or invalid, disconnected by the operator, policy violation).
    /// </summary>
    /// <exception cref="ChatErrorException">The server refused the sign-in (its error code, or <c>closed</c>).</exception>
    /// <exception cref="WebSocketException">The server could not be reached, or refused the upgrade.</exception>
    /// <exception cref="InvalidOperationException">Already connected, or closed.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_state != ChatClientState.Disconnected)
            {
                throw new InvalidOperationException($"ConnectAsync was called while {_state}.");
            }
            _state = ChatClientState.Connecting;
        }
        _events.Writer.TryWrite(new StateChangedEvent(ChatClientState.Connecting, null));
        Task<SessionEnd> session;
        try
        {
            session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                if (_state == ChatClientState.Connecting)
                {
                    _state = ChatClientState.Disconnected;
                }
            }
            _events.Writer.TryWrite(new StateChangedEvent(ChatClientState.Disconnected, e.Message));
            if (e is SessionEndedException ended)
            {
                throw ended.End.ToException();
            }
            throw;
        }
        _run = RunAsync(session);
        if (_tokens.Renewable)
        {
            _refresh = RefreshAsync();
        }
    }

    /// <summary>Closes the connection (close code 1000) and stops reconnecting; sends still waiting fail with a <c>closed</c> <see cref="ChatErrorException"/>.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_state == ChatClientState.Closed)
            {
                return;
            }
            _state = ChatClientState.Closed;
        }
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_live is { } socket)
            {
                _live = null;
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
                {
                    // Already broken: there is nothing to close politely.
                }
            }
        }
        finally
        {
            _sendLock.Release();
        }
        await _lifetime.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_run, _refresh).ConfigureAwait(false);
        Finish("closed by the client", new ChatErrorException("closed", "The chat client was closed."));
    }

    /// <summary>Closes the client, as <see cref="CloseAsync"/>, and frees its resources.</summary>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        _lifetime.Dispose();
        _sendLock.Dispose();
    }

    /// <summary>Opens one connection and waits for the sign-in; returns the running receive loop.</summary>
    private async Task<Task<SessionEnd>> OpenAsync(CancellationToken ct)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct, _lifetime.Token);
        attempt.CancelAfter(_options.ConnectTimeout);
        var token = await _tokens.ForConnectAsync(attempt.Token).ConfigureAwait(false);
        var uri = ClientUri.Build(_options.Server, _options.Nickname, token, _streams.Get(StreamPositions.Own));
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        try
        {
            await socket.ConnectAsync(uri, attempt.Token).ConfigureAwait(false);
        }
        catch (WebSocketException) when (socket.HttpStatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden)
        {
            socket.Dispose();
            throw new SessionEndedException(new SessionEnd((int)socket.HttpStatusCode, "the server refused the sign-in: HTTP " + (int)socket.HttpStatusCode, null));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var signedIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var receive = ReceiveAsync(socket, Interlocked.Increment(ref _sessions), signedIn);
        try
        {
            await signedIn.Task.WaitAsync(attempt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            socket.Abort();
            await receive.ConfigureAwait(false);
            throw;
        }
        return receive;
    }

    /// <summary>Waits for each connection to end and opens the next, with backoff, until the client closes.</summary>
    private async Task RunAsync(Task<SessionEnd> session)
    {
        while (true)
        {
            var end = await session.ConfigureAwait(false);
            if (_lifetime.IsCancellationRequested)
            {
                return;
            }
            if (end.Final(_tokens.Renewable))
            {
                await CloseForGoodAsync(end).ConfigureAwait(false);
                return;
            }
            await SetStateAsync(ChatClientState.Reconnecting, end.Reason).ConfigureAwait(false);
            if (end.TokenRejected)
            {
                _tokens.Invalidate();
            }
            if (await ReconnectAsync().ConfigureAwait(false) is not { } next)
            {
                return;
            }
            session = next;
        }
    }

    /// <summary>Tries until a connection signs in (its receive loop), or returns null when the client is closed meanwhile or for good.</summary>
    private async Task<Task<SessionEnd>?> ReconnectAsync()
    {
        var nicknameTaken = 0;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await Task.Delay(_backoff.Delay(attempt), _time, _lifetime.Token).ConfigureAwait(false);
                return await OpenAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
            {
                return null;
            }
            catch (SessionEndedException e) when (e.End.Code == 4001 && ++nicknameTaken <= NicknameRetries)
            {
                // The server still holds the nickname for the connection that just dropped; try again.
            }
            catch (SessionEndedException e) when (e.End.Final(_tokens.Renewable))
            {
                await CloseForGoodAsync(e.End).ConfigureAwait(false);
                return null;
            }
            catch (Exception e) when (e is SessionEndedException { End.TokenRejected: true })
            {
                _tokens.Invalidate();
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or SessionEndedException or System.Net.Http.HttpRequestException)
            {
                // The server is not there yet: wait longer and try again.
            }
        }
    }

    private async Task CloseForGoodAsync(SessionEnd end)
    {
        lock (_gate)
        {
            if (_state == ChatClientState.Closed)
            {
                return;
            }
            _state = ChatClientState.Closed;
        }
        await _lifetime.CancelAsync().ConfigureAwait(false);
        Finish(end.Reason, end.ToException());
    }

    /// <summary>The client is closed: everything still waiting fails with <paramref name="error"/>, and the events end.</summary>
    private void Finish(string reason, ChatErrorException error)
    {
        _sends.FailAll(error);
        _pages.FailAll(error);
        _joins.FailAll(error);
        _leaves.FailAll(error);
        // The last event; dropped only if the app stopped reading a full buffer, which ends either way.
        _events.Writer.TryWrite(new StateChangedEvent(ChatClientState.Closed, reason));
        _events.Writer.TryComplete();
    }

    private async ValueTask SetStateAsync(ChatClientState state, string? reason)
    {
        lock (_gate)
        {
            if (_state == ChatClientState.Closed || _state == state)
            {
                return;
            }
            _state = state;
        }
        await EmitAsync(new StateChangedEvent(state, reason)).ConfigureAwait(false);
    }
}
