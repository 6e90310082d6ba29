using Fleck.Chat.Client.Wire;

namespace Fleck.Chat.Client;

public sealed partial class ChatClient
{
    // After a failed or useless renewal (a token that is due at once), wait this long before asking again.
    private static readonly TimeSpan RenewRetry = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Renews the token shortly before its <c>exp</c> and hands the new one to the live connection
    /// (<c>{"type":"refresh"}</c>), so it is not closed with 4401; while disconnected the next connection uses it.
    /// </summary>
    private async Task RefreshAsync()
    {
        var pause = TimeSpan.Zero;
        while (!_lifetime.IsCancellationRequested)
        {
            try
            {
                if (_tokens.RenewAt is not { } due)
                {
                    return;
                }
                var wait = due - _time.GetUtcNow();
                await Task.Delay(wait > pause ? wait : pause, _time, _lifetime.Token).ConfigureAwait(false);
                pause = RenewRetry;
                var token = await _tokens.RenewAsync(_lifetime.Token).ConfigureAwait(false);
                await SendCommandAsync(Commands.Refresh(token), null, _lifetime.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The app's callback failed, or the client closed meanwhile; try again shortly (or stop).
                pause = RenewRetry;
            }
        }
    }
}
