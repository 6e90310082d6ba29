namespace Fleck.Chat.Host;

/// <summary>
/// The host could not start for a reason the user can fix (a busy port, an address the pages
/// cannot use). The message is one readable line, printed as it is instead of a stack trace.
/// </summary>
internal sealed class HostStartException(string message, Exception? inner = null) : Exception(message, inner);
