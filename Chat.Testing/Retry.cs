namespace Fleck.Chat.Tests.Support;

/// <summary>
/// For behaviour that resumes on its own schedule and raises no event a test could wait for (a node
/// reconnecting to Redis after an outage): keep trying, at a fixed pace, until it works or a
/// deadline passes. Never for proving that something does not happen.
/// </summary>
internal static class Retry
{
    /// <summary>Pace of the attempts: how long each one is given before the next.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Calls <paramref name="send"/> with 0, 1, 2, ... every <see cref="Interval"/> until
    /// <paramref name="arrival"/> completes, and returns its result. The caller starts
    /// <paramref name="arrival"/> (a receive) before calling, so nothing sent is missed.
    /// </summary>
    /// <exception cref="TimeoutException">Nothing arrived within <paramref name="within"/>.</exception>
    public static async Task<T> SendUntilArrivedAsync<T>(Func<int, Task> send, Task<T> arrival, TimeSpan within, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(within);
        var attempts = 0;
        while (true)
        {
            await send(attempts++);
            try
            {
                return await arrival.WaitAsync(Interval, deadline.Token);
            }
            catch (TimeoutException)
            {
                // Not yet: send the next one.
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new TimeoutException($"nothing arrived within {within.TotalSeconds:0.#} s; {attempts} attempts sent");
            }
        }
    }

    /// <summary>
    /// Calls <paramref name="attempt"/> with 0, 1, 2, ... every <see cref="Interval"/> until its result
    /// is one <paramref name="isDone"/> accepts, and returns that result.
    /// </summary>
    /// <exception cref="TimeoutException">No attempt succeeded within <paramref name="within"/>.</exception>
    public static async Task<T> UntilAsync<T>(Func<int, Task<T>> attempt, Func<T, bool> isDone, TimeSpan within, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(within);
        for (var attempts = 1; ; attempts++)
        {
            var result = await attempt(attempts - 1);
            if (isDone(result))
            {
                return result;
            }
            try
            {
                await Task.Delay(Interval, deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"no attempt succeeded within {within.TotalSeconds:0.#} s; the last of {attempts} gave {result}");
            }
        }
    }
}
