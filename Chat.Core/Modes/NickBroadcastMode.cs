using System.Globalization;
using System.Text.Json;
using Fleck.Chat.Protocol;
using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;

namespace Fleck.Chat.Modes;

/// <summary>
/// Group chat with nicknames (the seed's second model, both versions). Clients send
/// <c>{"msg":...}</c> or plain text; everyone, the sender included, receives
/// <c>{"type":"message","name":&lt;registered nick&gt;,"msg":...,"ts":...,"offset":N}</c>. A <c>name</c>
/// in the client's JSON is ignored: nobody can speak as someone else.
/// <para>
/// The chat is one numbered stream, run by the same machinery as a room's: each message is given the
/// next offset (1, 2, 3, ... across every node), kept in the history and handed to every node in
/// offset order. A joiner gets <c>users</c> (with the stream's <c>epoch</c> and latest
/// <c>offset</c>), then the recent history, then every later message live: each offset once, in
/// order. A client that reconnects with <c>?since=&lt;offset&gt;&amp;epoch=&lt;epoch&gt;</c> gets
/// instead exactly the messages it missed as <c>history</c>, then
/// <c>{"type":"recovered","recovered":true,"count":k}</c>; when that is not possible (another
/// epoch, or not all of them are kept), the recent history and <c>"recovered":false</c>.
/// </para>
/// <para>
/// Every message goes through the stream; there is no second, unnumbered way. While the stream
/// cannot be reached (the Redis backplane is down) nobody can number a message, so a member's
/// message is refused with an <c>unavailable</c> error (the connection stays open) and nobody gets it.
/// </para>
/// </summary>
public sealed class NickBroadcastMode : NicknameChatMode
{
    /// <inheritdoc />
    public override string Name => "nick-broadcast";

    /// <inheritdoc />
    /// <remarks>
    /// The member enters the stream before its state is read, and the state is read in one step with
    /// the numbering (see <see cref="Scaling.IStreamLog"/>): every message is at or below the
    /// offset read, and in the history if recent enough, or reaches the member live after it. Live
    /// copies that arrive while the member is being welcomed are held, and those at or below that
    /// offset dropped.
    /// </remarks>
    private protected override async ValueTask<bool> WelcomeAsync(ChatMember member, string nickname, IReadOnlyList<string> online, IChatRoom room, CancellationToken cancellationToken)
    {
        var read = await StreamCommands.ReadFieldAsync(member, nickname, ChatStream.Name, room, cancellationToken).ConfigureAwait(false);
        return await WelcomeToStreamAsync(member, nickname, online, read,
            welcome => room.Stream.JoinAsync(member, ResumePoint(member.Query), welcome, cancellationToken)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async ValueTask OnDisconnectedAsync(ChatMember member, IChatRoom room)
    {
        await room.Stream.LeaveAsync(member).ConfigureAwait(false);
        await base.OnDisconnectedAsync(member, room).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask OnChatMessageAsync(ChatMember member, string nickname, ReadOnlyMemory<byte> utf8, IChatRoom room, CancellationToken cancellationToken)
    {
        if (StreamCommand.TryRead(utf8.Span, null, out var command))
        {
            await StreamCommands.HandleAsync(member, command, ChatStream.Name, null, room, cancellationToken).ConfigureAwait(false);
            return;
        }
        var hasText = TryReadText(utf8, out var text, out var idField);
        if (!SendId.TryRead(idField, out var id))
        {
            SendError(member, ChatErrorCode.InvalidId, "An \"id\" is 1-64 characters: letters, digits, '_', '.', ':' or '-'. Nothing was sent.");
            return;
        }
        if (!hasText)
        {
            member.Send(ChatEvents.Error(ChatErrorCode.MissingField, "Send {\"msg\": \"text\"} or plain text.", id));
            return;
        }
        try
        {
            if (id is null)
            {
                await PublishAsync(nickname, text, room, cancellationToken).ConfigureAwait(false);
                return;
            }
            var user = NicknameKey.Of(nickname);
            await room.Sends.SendAsync(member, user, id, room: null, async () =>
            {
                var result = await room.Sends.AppendAsync(new StreamAppend(ChatStream.Name, nickname, text, ChatEvents.Now(), 0) { Id = id, User = user }, cancellationToken).ConfigureAwait(false);
                return new SendOutcome(new SentMessage(ChatStream.Name, result.Entry.Offset, result.Entry.Ts), result.Duplicate);
            }, cancellationToken, appendsAtOnce: true).ConfigureAwait(false);
        }
        catch (BackplaneUnavailableException)
        {
            member.Send(ChatEvents.Error(ChatErrorCode.Unavailable, "The message could not be sent right now; try again shortly.", id));
        }
    }

    /// <summary>
    /// The server's message is numbered, kept and sent to everyone exactly as a member's is. Throws
    /// <see cref="BackplaneUnavailableException"/> when the chat's stream cannot be reached: nobody got it.
    /// </summary>
    public override async ValueTask OnServerMessageAsync(string text, IChatRoom room, CancellationToken cancellationToken) =>
        await PublishAsync(Nickname.Server, text, room, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc cref="OnServerMessageAsync"/>
    public override async ValueTask<long?> OnServerMessageNumberedAsync(string text, IChatRoom room, CancellationToken cancellationToken) =>
        await PublishAsync(Nickname.Server, text, room, cancellationToken).ConfigureAwait(false);

    /// <summary>Numbers, keeps and sends a message through the chat's stream; returns its offset.</summary>
    private static async ValueTask<long> PublishAsync(string name, string text, IChatRoom room, CancellationToken cancellationToken)
    {
        var entry = await room.Stream.PublishAsync(name, text, ChatEvents.Now(), cancellationToken).ConfigureAwait(false);
        return entry.Offset;
    }

    /// <summary>
    /// <c>since</c> and <c>epoch</c> from the upgrade's query string; null without a valid
    /// <c>since</c> (then nothing changes for the client).
    /// </summary>
    internal static StreamPosition? ResumePoint(string query)
    {
        long? since = null;
        string? epoch = null;
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            var key = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? "" : Uri.UnescapeDataString(part[(eq + 1)..].Replace('+', ' '));
            if (key == "since" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                since = n;
            }
            else if (key == "epoch")
            {
                epoch = value;
            }
        }
        return since is { } s ? new StreamPosition(s, epoch) : null;
    }

    /// <summary>JSON objects carry the text in <c>msg</c>; anything that is not a JSON object is the text itself.</summary>
    internal static bool TryReadText(ReadOnlyMemory<byte> utf8, out string text) => TryReadText(utf8, out text, out _);

    /// <summary>As <see cref="TryReadText(ReadOnlyMemory{byte}, out string)"/>, with the object's <c>id</c> field (undefined when there is none).</summary>
    internal static bool TryReadText(ReadOnlyMemory<byte> utf8, out string text, out JsonElement id)
    {
        id = default;
        var span = utf8.Span.TrimStart(" \t\r\n"u8);
        if (!span.IsEmpty && span[0] == (byte)'{')
        {
            try
            {
                var message = JsonSerializer.Deserialize(utf8.Span, ChatJsonContext.Default.ClientMessage);
                text = message?.Msg ?? "";
                id = message?.Id ?? default;
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
