namespace Fleck.Chat.Transport;

/// <summary>
/// Told by an <see cref="Outbox"/> that a write to its client failed; the connection then ends. An
/// interface the connection implements rather than a delegate: every idle connection would keep one.
/// </summary>
internal interface IWriteFailureListener
{
    void OnWriteFailed(Exception? error);
}
