using System.Runtime.InteropServices;

namespace Fleck.Chat.Host;

/// <summary>
/// Turns Ctrl+C (SIGINT) and SIGTERM into a cancellation the host handles itself: the runtime's
/// default reaction (end the process at once) is cancelled so that every client can get its 1001.
/// Create it first thing, so a signal that arrives during start-up still ends the host cleanly.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _requested;
    private readonly PosixSignalRegistration _sigint;
    private readonly PosixSignalRegistration _sigterm;

    public ShutdownSignal(CancellationToken external)
    {
        _requested = CancellationTokenSource.CreateLinkedTokenSource(external);
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>Cancelled when a shutdown is asked for.</summary>
    public CancellationToken Token => _requested.Token;

    /// <summary>Completes when a shutdown is asked for.</summary>
    public async Task WaitAsync()
    {
        var signalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = Token.Register(() => signalled.TrySetResult());
        await signalled.Task.ConfigureAwait(false);
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        try
        {
            _requested.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // A signal that races with the end of the process: nothing is left to stop.
        }
    }

    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
        _requested.Dispose();
    }
}
