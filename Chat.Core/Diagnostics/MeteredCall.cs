using Fleck.Chat.Scaling;

namespace Fleck.Chat.Diagnostics;

/// <summary>
/// Awaits a backplane call and counts it on the chat's meter when it finds the backplane unavailable.
/// Shared by the metered wrappers of each backplane interface, so every operation is counted the same way.
/// </summary>
internal static class MeteredCall
{
    public static async ValueTask<T> CountingFailureAsync<T>(ValueTask<T> call, ChatMetrics metrics, string operation)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (BackplaneUnavailableException)
        {
            metrics.BackplaneError(operation);
            throw;
        }
    }

    public static async ValueTask CountingFailureAsync(ValueTask call, ChatMetrics metrics, string operation)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        catch (BackplaneUnavailableException)
        {
            metrics.BackplaneError(operation);
            throw;
        }
    }
}
