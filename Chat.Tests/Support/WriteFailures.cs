using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Support;

/// <summary>An outbox's write-failure listener that hands each failure to a delegate.</summary>
internal sealed class WriteFailures(Action<Exception?> onFailed) : IWriteFailureListener
{
    public void OnWriteFailed(Exception? error) => onFailed(error);
}
