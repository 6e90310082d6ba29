using System.Text.Json;
using Fleck.Chat.Protocol;

namespace Fleck.Chat.Modes;

/// <summary>
/// Group chat with nicknames (the seed's second model, both versions). Clients send
/// <c>{"msg":...}</c> or plain text; everyone, the sender included, receives
/// <c>{"type":"message","name":&lt;registered nick&gt;,"msg":...,"ts":...}</c>. A <c>name</c> in the
/// client's JSON is ignored: nobody can speak as someone else. Late joiners get the history.
/// <para>
/// A member that joins while others talk misses nothing: it gets its <c>users</c> event, then the
/// history, then live messages, and each message from the history or live, never neither. A message
/// whose live copy reaches it while it is joining is not repeated (a backplane can make sure the
/// copies from other nodes have arrived by then, as the Redis one does). One whose sender stalled
/// between recording and sending it can arrive twice, as the last <c>history</c> event and as a
/// <c>message</c> with the same <c>name</c>, <c>ts</c> and <c>msg</c>.
/// </para>
/// </summary>
public sealed class NickBroadcastMode : NicknameChatMode
{
    /// <inheritdoc />
    public override string Name => "nick-broadcast";

    /// <inheritdoc />
    /// <remarks>
    /// The member is in the room before the history is read, and every message is recorded before
    /// it is sent (<see cref="IChatRoom.RecordAndSendToAllAsync"/>): a message recorded after the
    /// read reaches the member live, one recorded before is in the history. One recorded before
    /// the read but sent after the member came in is in both; when its live copy arrives while the
    /// member is still being admitted (held, see <see cref="NicknameChatMode.OnJoinedAsync"/>),
    /// that copy is dropped.
    /// </remarks>
    protected override async ValueTask OnJoinedAsync(ChatMember member, IChatRoom room, CancellationToken cancellationToken)
    {
        var history = await room.GetHistoryAsync(cancellationToken).ConfigureAwait(false);
        foreach (var entry in history)
        {
            member.Send(ChatEvents.History(entry));
        }
        if (history.Count > 0)
        {
            member.SkipHeldCopies(new HistoryCopies(history).WasReplayed);
        }
    }

    /// <inheritdoc />
    protected override async ValueTask OnChatMessageAsync(ChatMember member, string nickname, ReadOnlyMemory<byte> utf8, IChatRoom room, CancellationToken cancellationToken)
    {
        if (!TryReadText(utf8, out var text))
        {
            SendError(member, ChatErrorCode.MissingField, "Send {\"msg\": \"text\"} or plain text.");
            return;
        }
        // A held copy is matched to the history by name, timestamp and text: a member's timestamps
        // strictly increase, so two of its messages are never taken for one another.
        var ts = Math.Max(ChatEvents.Now(), member.LastMessageTs + 1);
        member.LastMessageTs = ts;
        await room.RecordAndSendToAllAsync(new ChatHistoryEntry(nickname, text, ts), ChatEvents.Message(nickname, text, ts)).ConfigureAwait(false);
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
