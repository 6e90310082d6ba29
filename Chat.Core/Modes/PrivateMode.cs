using System.Text.Json;
using Fleck.Chat.Protocol;

namespace Fleck.Chat.Modes;

/// <summary>
/// One-to-one chat (the seed's third model). Clients send <c>{"msg":...,"to_client":&lt;nick&gt;}</c>;
/// only that member, on whichever node, receives
/// <c>{"type":"private","name":&lt;sender&gt;,"to_client":...,"msg":...,"ts":...}</c>. The sender gets
/// no echo (its page shows its own line) but does get an <c>error</c> for an offline target, a
/// missing field or invalid JSON; the connection stays open.
/// </summary>
public sealed class PrivateMode : NicknameChatMode
{
    /// <inheritdoc />
    public override string Name => "private";

    /// <inheritdoc />
    protected override async ValueTask OnChatMessageAsync(ChatMember member, string nickname, ReadOnlyMemory<byte> utf8, IChatRoom room, CancellationToken cancellationToken)
    {
        if (!TryParse(utf8.Span, out var message))
        {
            SendError(member, ChatErrorCode.InvalidJson, "Send JSON: {\"msg\": \"text\", \"to_client\": \"nickname\"}.");
            return;
        }
        var target = message?.ToClient?.Trim();
        if (string.IsNullOrEmpty(target))
        {
            SendError(member, ChatErrorCode.MissingField, "Say who the message is for: \"to_client\" is missing.");
            return;
        }
        if (string.IsNullOrEmpty(message!.Msg))
        {
            SendError(member, ChatErrorCode.MissingField, "The message is empty: \"msg\" is missing.");
            return;
        }
        var delivered = await room.SendToAsync(target, ChatEvents.Private(nickname, target, message.Msg, ChatEvents.Now()), cancellationToken).ConfigureAwait(false);
        if (!delivered)
        {
            SendError(member, ChatErrorCode.OfflineTarget, $"{target} is not online; the message was not delivered.");
        }
    }

    /// <summary>Reads a private message; false when the text is not JSON (null JSON gives a null message).</summary>
    internal static bool TryParse(ReadOnlySpan<byte> utf8, out ClientMessage? message)
    {
        try
        {
            message = JsonSerializer.Deserialize(utf8, ChatJsonContext.Default.ClientMessage);
            return true;
        }
        catch (JsonException)
        {
            message = null;
            return false;
        }
    }
}
