using System.CommandLine;
using Fleck.Chat.Host;
using Fleck.Chat.Host.Cli;

// The host handles Ctrl+C and SIGTERM itself (close 1001 to every client, then exit 0), so the
// parser's own termination handling, which would end the process with 130/143, is turned off.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
return await HostCommand.Create(ChatHost.RunAsync).Parse(args).InvokeAsync(invocation);
