using Microsoft.Extensions.Hosting;

namespace Fleck.Chat.Host.Http.Kestrel;

/// <summary>
/// The lifetime of the web host that runs Kestrel: none of its own. The default one would catch
/// Ctrl+C and SIGTERM and print its start-up lines; the chat host handles the signals itself
/// (closing every client with 1001 first) and starts and stops the pages when it chooses.
/// </summary>
internal sealed class NoConsoleLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
