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
        if (StreamCommand.TryRead(utf8.Span, null, out var command))
        {
            await StreamCommands.HandleAsync(member, command, StreamCommands.InboxOf(member), null, room, cancellationToken).ConfigureAwait(false);
            return;
        }
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

    /// <inheritdoc />
    /// <remarks>A v=3 connection of an identified user also gets its inbox's read marker.</remarks>
    private protected override async ValueTask<bool> WelcomeAsync(ChatMember member, string nickname, IReadOnlyList<string> online, IChatRoom room, CancellationToken cancellationToken)
    {
        var read = await StreamCommands.ReadFieldAsync(member, nickname, StreamCommands.InboxOf(member), room, cancellationToken).ConfigureAwait(false);
        member.Send(ChatEvents.Users(nickname, online, read: read));
        return true;
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
