using System.Globalization;

namespace Fleck.Chat.Host.Limits;

/// <summary>
/// Whether the connections the host is set to hold fit in the file descriptors it may open: every
/// WebSocket and every pages connection is one descriptor, and the runtime, the logs, Redis and
/// SQLite need <see cref="Headroom"/> more. Limits the operator left at their defaults are lowered
/// to fit (the pages to at most a quarter of what is free, the WebSockets to the rest); a limit the
/// operator chose is never lowered, and one that cannot fit stops the start instead. Without this,
/// a flood of connections ends with the process out of descriptors, where it aborts rather than refuses.
/// </summary>
internal static class DescriptorBudget
{
    /// <summary>
    /// Descriptors kept for everything but connections. The runtime holds every assembly it loaded open
    /// (about 160 descriptors in a host that has served a page), then come the logs, pipes, the reserve,
    /// Redis, SQLite, and refused connections on their way out; a process that runs out of them fails
    /// wherever it next opens a file, the runtime loading an assembly included, and aborts.
    /// </summary>
    public const int Headroom = 320;

    /// <summary>The limits to run with, and the one line to print about them: a warning, or an error that stops the start.</summary>
    public sealed record Decision(int WebSockets, int Pages, string? Warning = null, string? Error = null);

    /// <param name="openFiles">The soft limit on open descriptors.</param>
    /// <param name="webSockets">--max-connections.</param>
    /// <param name="webSocketsGiven">Whether the operator gave --max-connections.</param>
    /// <param name="pages">--max-page-connections.</param>
    /// <param name="pagesGiven">Whether the operator gave --max-page-connections.</param>
    public static Decision Decide(long openFiles, int webSockets, bool webSocketsGiven, int pages, bool pagesGiven)
    {
        var need = (long)webSockets + pages + Headroom;
        if (need <= openFiles)
        {
            return new Decision(webSockets, pages);
        }
        var free = openFiles - Headroom;
        var raise = string.Create(CultureInfo.InvariantCulture, $"raise the limit to at least {need} (ulimit -n {need}, or LimitNOFILE={need} in the systemd unit)");
        var shortOf = string.Create(CultureInfo.InvariantCulture, $"only {openFiles} file descriptors may be open (ulimit -n)");
        long newPages = pages, newWebSockets = webSockets;
        switch (webSocketsGiven, pagesGiven)
        {
            case (true, true):
                return Refuse($"--max-connections {webSockets} and --max-page-connections {pages} need {need} file descriptors, but {shortOf}: {raise}, or ask for fewer connections");
            case (false, false):
                newPages = Math.Min(pages, free / 4);
                newWebSockets = Math.Min(webSockets, free - newPages);
                break;
            case (true, false):
                newPages = Math.Min(pages, free - webSockets);
                break;
            case (false, true):
                newWebSockets = Math.Min(webSockets, free - pages);
                break;
        }
        if (newPages < 1 || newWebSockets < 1)
        {
            var given = (webSocketsGiven, pagesGiven) switch
            {
                (true, _) => string.Create(CultureInfo.InvariantCulture, $"--max-connections {webSockets} leaves no descriptor for the pages"),
                (_, true) => string.Create(CultureInfo.InvariantCulture, $"--max-page-connections {pages} leaves no descriptor for the WebSockets"),
                _ => "that is not enough to serve anything",
            };
            return Refuse($"{shortOf}, {Headroom} of them kept for the runtime, and {given}: {raise}");
        }
        return new Decision((int)newWebSockets, (int)newPages, Warning: string.Create(CultureInfo.InvariantCulture,
            $"warning: {shortOf}, fewer than the {need} that {webSockets} WebSocket and {pages} page connections need; holding at most {newWebSockets} (--max-connections) and {newPages} (--max-page-connections) instead; to hold them all, {raise}"));

        Decision Refuse(string message) => new(webSockets, pages, Error: "error: " + message);
    }
}
