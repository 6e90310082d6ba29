using System.Net.WebSockets;
using System.Text;

namespace Fleck.Chat.Transport;

/// <summary>A complete message received from a client, reassembled from its fragments.</summary>
/// <param name="Type">Text or binary.</param>
/// <param name="Data">The payload; for text, valid UTF-8 (the server has checked). Borrowed: copy it to keep it.</param>
public readonly record struct WebSocketMessage(WebSocketMessageType Type, ReadOnlyMemory<byte> Data)
{
    /// <summary>True for a text message.</summary>
    public bool IsText => Type == WebSocketMessageType.Text;

    /// <summary>The payload decoded as UTF-8.</summary>
    public string GetText() => Encoding.UTF8.GetString(Data.Span);
}
