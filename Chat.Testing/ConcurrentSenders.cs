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

    /// <summary>
    /// A sender waits until the server has dealt with every this-many of its messages, and for the echo
    /// of the last unless one was refused, so the server's queues stay short.
    /// </summary>
    private const int PaceEvery = 20;

    /// <summary>Live messages a reader connection takes before it drops.</summary>
    private const int PerConnection = 25;

    /// <param name="senders">How many members send.</param>
    /// <param name="reconnects">Resumes the reader makes while they send.</param>
    /// <param name="join">Joins member number n (its users event read): the senders are 0 to <paramref name="senders"/> - 1, and number <paramref name="senders"/> closes the run.</param>
    /// <param name="connect">Opens reader connection number n with the given query; may pick a node by n.</param>
    /// <returns>
    /// The stream's last offset once everyone stopped (the messages numbered in all: a message the
    /// server refused, <c>unavailable</c> while the backplane could not be reached, never had one), and
    /// the resumes made while the senders were sending. The reader has read up to that offset.
    /// </returns>
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
            var refused = 0;
            while (sent < MaxEach && !stop.IsCancellationRequested)
            {
                var text = $"{s}:{sent}";
                await sender.SendJsonAsync(new { msg = text }, ct);
                sent++;
                if (sent % PaceEvery == 0)
                {
                    refused += (await SettledAsync(sender, text, ct)).Refused;
                }
            }
            // Closed only once the server has dealt with every message: none is still on its way to be numbered.
            refused += (await SettledAsync(sender, null, ct)).Refused;
            return (Sent: sent, Refused: refused);
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
        var outcomes = await Task.WhenAll(sending);
        var (last, markersRefused) = await LastOffsetAsync(senders, join, ct);
        TestContext.Out.WriteLine($"{outcomes.Sum(o => o.Sent)} messages sent, {outcomes.Sum(o => o.Refused) + markersRefused} refused (unavailable), {last} numbered; {reader.JoinsRefused} reader connections refused");
        await reader.ReadAllAsync((_, query, token) => connect(connection++, query, token), last, PerConnection, ct);
        return (last, resumesWhileSending);
    }

    /// <summary>
    /// Waits until the server has dealt with everything <paramref name="client"/> sent so far: it
    /// answers a message without text at once, after the ones before it (a connection's messages are
    /// handled in turn). Returns how many of those were refused (<c>unavailable</c>) meanwhile; when
    /// none was, it also waits for the echo of <paramref name="last"/> (the last one sent, if given)
    /// and returns its offset.
    /// </summary>
    private static async Task<(int Refused, long? Offset)> SettledAsync(TypedClient client, string? last, CancellationToken ct)
    {
        await client.SendJsonAsync(new { msg = "" }, ct);
        var refused = 0;
        long? offset = null;
        var answered = false;
        while (!answered || (refused == 0 && last is not null && offset is null))
        {
            var e = await client.ReceiveEventAsync(ct);
            switch (e.GetProperty("type").GetString())
            {
                case "message" when last is not null && e.GetProperty("msg").GetString() == last:
                    offset = ResumingReader.OffsetOf(e);
                    break;
                case "error" when e.GetProperty("code").GetString() == "unavailable":
                    refused++;
                    break;
                case "error" when e.GetProperty("code").GetString() == "missing_field":
                    answered = true;
                    break;
            }
        }
        return (refused, refused == 0 ? offset : null);
    }

    /// <summary>
    /// Once the senders are done, one more member sends a last message until it is numbered, and takes
    /// its offset from its echo: the stream's last, since nothing else is being sent. Returns it and
    /// how many of those tries were refused.
    /// </summary>
    private static async Task<(long Last, int Refused)> LastOffsetAsync(int number, Func<int, CancellationToken, Task<TypedClient>> join, CancellationToken ct)
    {
        await using var closer = await join(number, ct);
        for (var attempt = 0; ; attempt++)
        {
            var text = $"end:{attempt}";
            await closer.SendJsonAsync(new { msg = text }, ct);
            if ((await SettledAsync(closer, text, ct)).Offset is { } last)
            {
                return (last, attempt);
            }
        }
    }
}
