using System.Text.Json;
using Fleck.Chat.Protocol;

namespace Fleck.Chat.Modes;

/// <summary>
/// Group chat with nicknames (the seed's second model, both versions). Clients send
/// <c>{"msg":...}</c> or plain text; everyone, the sender included, receives
/// <c>{"type":"message","name":&lt;registered nick&gt;,"msg":...,"ts":...}</c>. A <c>name</c> in the
/// client's JSON is ignored: nobody can speak as someone else. Late joiners get the history.
/// </summary>
public sealed class NickBroadcastMode : NicknameChatMode
{
    /// <inheritdoc />
    public override string Name => "nick-broadcast";

    /// <inheritdoc />
    protected override async ValueTask OnJoinedAsync(ChatMember member, IChatRoom room, CancellationToken cancellationToken)
    {
        foreach (var entry in await room.GetHistoryAsync(cancellationToken).ConfigureAwait(false))
        {
            member.Send(ChatEvents.History(entry));
        }
    }

    /// <inheritdoc />
    protected override ValueTask OnChatMessageAsync(ChatMember member, string nickname, ReadOnlyMemory<byte> utf8, IChatRoom room, CancellationToken cancellationToken)
    {
        if (!TryReadText(utf8, out var text))
        {
            SendError(member, ChatErrorCode.MissingField, "Send {\"msg\": \"text\"} or plain text.");
            return ValueTask.CompletedTask;
        }
        var ts = ChatEvents.Now();
        room.SendToAll(ChatEvents.Message(nickname, text, ts));
        return room.AddHistoryAsync(new ChatHistoryEntry(nickname, text, ts));
    }

    /// <summary>The server's message goes to everyone and into the history, exactly as a member's does.</summary>
    public override ValueTask OnServerMessageAsync(string text, IChatRoom room, CancellationToken cancellationToken)
    {
        var ts = ChatEvents.Now();
        room.SendToAll(ChatEvents.Message(Nickname.Server, text, ts));
        return room.AddHistoryAsync(new ChatHistoryEntry(Nickname.Server, text, ts));
    }

    /// <summary>JSON objects carry the text in <c>msg</c>; anything that is not a JSON object is the text itself.</summary>
    internal static bool TryReadText(ReadOnlyMemory<byte> utf8, out string text)
    {
        var span = utf8.Span.TrimStart(" \t\r\n"u8);
        if (!span.IsEmpty && span[0] == (byte)'{')
        {
            try
            {
                var message = JsonSerializer.Deserialize(utf8.Span, ChatJsonContext.Default.ClientMessage);
                text = message?.Msg ?? "";
                return text.Length > 0;
            }
            catch (JsonException)
            {
                // Not JSON after all: take it as plain text, like any other.
            }
        }
        text = System.Text.Encoding.UTF8.GetString(utf8.Span);
        return text.Length > 0;
    }
}
