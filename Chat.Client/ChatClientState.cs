namespace Fleck.Chat.Client;

/// <summary>Where a <see cref="ChatClient"/>'s connection stands.</summary>
public enum ChatClientState
{
    /// <summary>Not connected yet (or the first connection failed); <see cref="ChatClient.ConnectAsync"/> may be called.</summary>
    Disconnected,

    /// <summary>The first connection is being opened.</summary>
    Connecting,

    /// <summary>Signed in; sends go out at once.</summary>
    Connected,

    /// <summary>The connection dropped; the client waits and connects again. Sends are queued meanwhile.</summary>
    Reconnecting,

    /// <summary>Closed for good, by the app or by the server; the client does nothing more.</summary>
    Closed,
}
