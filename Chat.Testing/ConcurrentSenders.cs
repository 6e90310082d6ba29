namespace Fleck.Chat.Tests.Support;

/// <summary>
/// Members that keep sending while a <see cref="ResumingReader"/> drops its connection and resumes,
/// again and again: the senders stop only once the reader has resumed the asked number of times,
/// so every one of those resumes happens while messages flow.
/// </summary>
internal static class ConcurrentSenders
{
    /// <summary>Bound on each sender's messages, whatever happens.</summary>
    private const int MaxEach = 5000;

    /// <summary>A sender waits for the echo of every this-many of its messages, so the server's queues stay short.</summary>
    private const int PaceEvery = 20;

    /// <summary>Live messages a reader connection takes before it drops.</summary>
    private const int PerConnection = 25;

    /// <param name="senders">How many members send.</param>
    /// <param name="reconnects">Resumes the reader makes while they send.</param>
    /// <param name="join">Joins sender number n (its users event read).</param>
    /// <param name="connect">Opens reader connection number n with the given query; may pick a node by n.</param>
    /// <returns>Messages sent in all, and the resumes made while the senders were sending.</returns>
    public static async Task<(long Total, int ResumesWhileSending)> RunAsync(int senders, int reconnects, ResumingReader reader,
        Func<int, CancellationToken, Task<TypedClient>> join, Func<int, string, CancellationToken, Task<TypedClient>> connect, CancellationToken ct)
    {
        var connection = 0;
        var first = await reader.ConnectAsync((query, token) => connect(connection++, query, token), ct);
        using var stop = new CancellationTokenSource();
        var sending = Enumerable.Range(0, senders).Select(s => Task.Run(async () =>
        {
            await using var sender = await join(s, ct);
            var sent = 0;
            while (sent < MaxEach && !stop.IsCancellationRequested)
            {
                var text = $"{s}:{sent}";
                await sender.SendJsonAsync(new { msg = text }, ct);
                sent++;
                if (sent % PaceEvery == 0)
                {
                    while ((await sender.ReceiveEventAsync("message", ct)).GetProperty("msg").GetString() != text)
                    {
                    }
                }
            }
            return sent;
        }, ct)).ToArray();

        // The first connection reads a little, then every later one resumes while the senders go on.
        var client = first;
        for (var i = 0; i <= reconnects; i++)
        {
            if (i > 0)
            {
                client = await reader.ConnectAsync((query, token) => connect(connection++, query, token), ct);
            }
            try
            {
                await reader.ReadLiveAsync(client, PerConnection, long.MaxValue, ct);
            }
            finally
            {
                client.Abort();
                await client.DisposeAsync();
            }
        }
        var resumesWhileSending = reader.Resumes.Count;
        await stop.CancelAsync();
        var total = (await Task.WhenAll(sending)).Sum();
        await reader.ReadAllAsync((_, query, token) => connect(connection++, query, token), total, PerConnection, ct);
        return (total, resumesWhileSending);
    }
}
