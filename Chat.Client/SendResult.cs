namespace Fleck.Chat.Client;

/// <summary>What the server acknowledged for a send.</summary>
/// <param name="Offset">The message's offset in its stream (a private message: in the sender's inbox); 0 when the stream has no offsets.</param>
/// <param name="Duplicate">True when the server had already taken this send (a re-send after a reconnect) and did not deliver it again.</param>
public sealed record SendResult(long Offset, bool Duplicate);
