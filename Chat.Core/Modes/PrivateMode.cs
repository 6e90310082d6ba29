using System.Text.Json;
using Fleck.Chat.Protocol;
using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;

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
    /// <remarks>With identity, the member enters its user's inbox: <c>users</c> carries the inbox's epoch and offset, then its recent history (or what a resume missed).</remarks>
    private protected override async ValueTask<bool> WelcomeAsync(ChatMember member, string nickname, IReadOnlyList<string> online, IChatRoom room, CancellationToken cancellationToken)
    {
        if (member.Identity is null)
        {
            return await base.WelcomeAsync(member, nickname, online, room, cancellationToken).ConfigureAwait(false);
        }
        // A v=3 connection also gets its inbox's read marker on users.
        var read = await StreamCommands.ReadFieldAsync(member, nickname, InboxOf(nickname), room, cancellationToken).ConfigureAwait(false);
        return await WelcomeToStreamAsync(member, nickname, online, read,
            welcome => room.Inboxes.JoinAsync(member, InboxOf(nickname), NickBroadcastMode.ResumePoint(member.Query), welcome, cancellationToken)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async ValueTask OnDisconnectedAsync(ChatMember member, IChatRoom room)
    {
        if (member.Identity is not null && member.Nickname is { } nickname)
        {
            await room.Inboxes.LeaveAsync(member, InboxOf(nickname)).ConfigureAwait(false);
        }
        await base.OnDisconnectedAsync(member, room).ConfigureAwait(false);
    }

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
        if (!SendId.TryRead(message?.Id ?? default, out var id))
        {
            SendError(member, ChatErrorCode.InvalidId, "An \"id\" is 1-64 characters: letters, digits, '_', '.', ':' or '-'. Nothing was sent.");
            return;
        }
        var target = message?.ToClient?.Trim();
        if (string.IsNullOrEmpty(target))
        {
            member.Send(ChatEvents.Error(ChatErrorCode.MissingField, "Say who the message is for: \"to_client\" is missing.", id));
            return;
        }
        if (string.IsNullOrEmpty(message!.Msg))
        {
            member.Send(ChatEvents.Error(ChatErrorCode.MissingField, "The message is empty: \"msg\" is missing.", id));
            return;
        }
        var send = new PrivateSend(member, nickname, target, message.Msg, id, room, cancellationToken);
        try
        {
            if (id is null)
            {
                await send.RunAsync().ConfigureAwait(false);
                return;
            }
            await room.Sends.SendAsync(member, send.User, id, room: null, send.RunAsync, cancellationToken).ConfigureAwait(false);
        }
        catch (Scaling.BackplaneUnavailableException)
        {
            member.Send(ChatEvents.Error(ChatErrorCode.Unavailable, "The message could not be sent right now; try again shortly.", id));
        }
    }

    private static string InboxOf(string nickname) => InboxName.Of(NicknameKey.Of(nickname));

    /// <summary>One private message on its way: kept in both inboxes with identity, else routed to the target as in Part 1.</summary>
    private sealed record PrivateSend(ChatMember Member, string Nickname, string Target, string Msg, string? Id, IChatRoom Room, CancellationToken CancellationToken)
    {
        public string User { get; } = NicknameKey.Of(Nickname);

        public ValueTask<SendOutcome> RunAsync() => Member.Identity is null ? RouteAsync() : KeepAsync();

        /// <summary>
        /// Appended to the sender's inbox and the target's in one step; every connection of either
        /// user gets it through its inbox, the sending one only as its ack (unless v=3). A target that
        /// is not online is still written to if its inbox exists; one never seen is refused.
        /// </summary>
        private async ValueTask<SendOutcome> KeepAsync()
        {
            var targetInbox = InboxOf(Target);
            if (!await Room.Inboxes.ExistsAsync(targetInbox, CancellationToken).ConfigureAwait(false))
            {
                Offline();
                return SendOutcome.Failed;
            }
            var inbox = InboxName.Of(User);
            var append = new StreamAppend(inbox, Nickname, Msg, ChatEvents.Now(), 0)
            {
                Id = Id,
                User = Id is null ? null : User,
                To = Target,
                CopyTo = targetInbox,
                // To oneself, the sending connection is one of the target's: it gets the message too.
                Origin = targetInbox == inbox ? 0 : Member.Origin,
            };
            var result = await Room.Sends.AppendAsync(append, CancellationToken).ConfigureAwait(false);
            return new SendOutcome(new SentMessage(inbox, result.Entry.Offset, append.Ts), result.Duplicate);
        }

        /// <summary>Without identity nothing is kept: the message goes to whoever holds the name now, or is refused.</summary>
        private async ValueTask<SendOutcome> RouteAsync()
        {
            var ts = ChatEvents.Now();
            if (!await Room.SendToAsync(Target, ChatEvents.Private(Nickname, Target, Msg, ts), CancellationToken).ConfigureAwait(false))
            {
                Offline();
                return SendOutcome.Failed;
            }
            if (Id is null)
            {
                return SendOutcome.Failed;
            }
            var sent = new SentMessage("", null, ts);
            var recorded = await Room.Sends.Log.RecordSentAsync(User, Id, sent, CancellationToken).ConfigureAwait(false);
            return new SendOutcome(recorded, recorded != sent);
        }

        private void Offline() =>
            Member.Send(ChatEvents.Error(ChatErrorCode.OfflineTarget, $"{Target} is not online; the message was not delivered.", Id));
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
