using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Host.Logging;

/// <summary>Logs one summary line per period while the chat is in use: members, messages/s, bytes/s.</summary>
internal sealed class StatsReporter : IAsyncDisposable
{
    private readonly ChatServer _chat;
    private readonly ILogger _logger;
    private readonly PeriodicTimer _timer;
    private readonly Task _loop;
    private ChatStatistics _last;

    public StatsReporter(ChatServer chat, ILogger logger, TimeSpan period)
    {
        _chat = chat;
        _logger = logger;
        _timer = new PeriodicTimer(period);
        _last = chat.GetStatistics();
        _loop = LoopAsync(period);
    }

    private async Task LoopAsync(TimeSpan period)
    {
        while (await _timer.WaitForNextTickAsync().ConfigureAwait(false))
        {
            var now = _chat.GetStatistics();
            if (now == _last)
            {
                continue; // Quiet when nothing happens.
            }
            var seconds = period.TotalSeconds;
            _logger.LogInformation(
                "{Members} members, {Connections} connections, {In:F1} msg/s in, {Out:F1} deliveries/s, {Bytes:F0} B/s out",
                now.Members, now.Connections,
                (now.MessagesReceived - _last.MessagesReceived) / seconds,
                (now.MessagesDelivered - _last.MessagesDelivered) / seconds,
                (now.BytesDelivered - _last.BytesDelivered) / seconds);
            _last = now;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _timer.Dispose();
        await _loop.ConfigureAwait(false);
    }
}
