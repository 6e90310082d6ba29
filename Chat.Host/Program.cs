using System.CommandLine;
using Fleck.Chat.Host;
using Fleck.Chat.Host.Cli;

var parsed = HostCommand.Create(ChatHost.RunAsync).Parse(args);
if (parsed.Errors.Count > 0)
{
    // One line per bad value on stderr, instead of the parser's default of errors plus the whole help text.
    foreach (var error in parsed.Errors)
    {
        await Console.Error.WriteLineAsync($"error: {error.Message} (see --help)");
    }
    return 1;
}
// The host handles Ctrl+C and SIGTERM itself (close 1001 to every client, then exit 0), so the
// parser's own termination handling, which would end the process with 130/143, is turned off.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
