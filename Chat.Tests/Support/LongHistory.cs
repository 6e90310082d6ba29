namespace Fleck.Chat.Tests.Support;

/// <summary>A server whose kept history (100 messages) is longer than a client's send queue (60).</summary>
internal static class LongHistory
{
    public const int Messages = 100;

    public static ChatServerOptions Options => new()
    {
        HistorySize = Messages,
        MessagesPerSecond = 0,
        Transport = new Fleck.Chat.Transport.WebSocketServerOptions { MaxQueuedMessages = 60 },
    };
}
