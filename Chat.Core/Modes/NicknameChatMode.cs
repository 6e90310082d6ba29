using System.Text.Json;
using Fleck.Chat.Protocol;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Modes;

/// <summary>
/// Base of the modes where members have nicknames. It owns the login: the nickname comes from the
/// path <c>/websocket/&lt;nick&gt;</c> (percent-decoded UTF-8) or, on plain <c>/websocket</c>, from
/// the first message (plain text or JSON with <c>name</c>). A valid, free nickname joins the room:
/// the member gets a <c>users</c> event, the others a <c>join</c>; a taken or invalid one gets an
/// <c>error</c> and a 4001/4002 close, and never replaces whoever holds it.
/// <para>
/// A joining member gets its <c>users</c> event first, then what <see cref="OnJoinedAsync"/>
/// sends, then whatever the room sent it meanwhile, in order; a <c>join</c> or <c>leave</c> that
/// its online list already reflects is not repeated.
/// </para>
/// </summary>
public abstract class NicknameChatMode : IChatMode
{
    private const string Prefix = "/websocket";

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public bool AcceptsPath(string path) =>
        path == Prefix || path == Prefix + "/" || (path.StartsWith(Prefix + "/", StringComparison.Ordinal) && path.IndexOf('/', Prefix.Length + 1) < 0);

    /// <inheritdoc />
    public ValueTask OnConnectedAsync(ChatMember member, IChatRoom room, CancellationToken cancellationToken)
    {
        if (member.Identity is { } identity)
        {
            // The handshake already checked the name, and that a nickname in the path is this one.
            return LoginAsync(member, identity.Name, room, cancellationToken);
        }
        return NicknameFromPath(member.Path) is { } requested
            ? LoginAsync(member, requested, room, cancellationToken)
            : ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask OnMessageAsync(ChatMember member, WebSocketMessage message, IChatRoom room, CancellationToken cancellationToken)
    {
        if (!message.IsText)
        {
            member.Send(ChatEvents.Error(ChatErrorCode.UnsupportedData, "Only text messages are understood."));
            return ValueTask.CompletedTask;
        }
        if (!member.HasJoined)
        {
            if (member.Identity is not null)
            {
                // With identities the token is the login; a message is never one (this member's login failed and it is closing).
                return ValueTask.CompletedTask;
            }
            return LoginAsync(member, NicknameFromFirstMessage(message.GetText()), room, cancellationToken);
        }
        return OnChatMessageAsync(member, member.Nickname!, message.Data, room, cancellationToken);
    }

    /// <inheritdoc />
    public virtual ValueTask OnDisconnectedAsync(ChatMember member, IChatRoom room)
    {
        if (AnnouncesPresence && member.HasJoined && member.Nickname is { } nickname)
        {
            room.SendToAll(ChatEvents.Leave(nickname));
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask OnRateLimitedAsync(ChatMember member, IChatRoom room)
    {
        member.Send(ChatEvents.Error(ChatErrorCode.RateLimited, "You are sending too fast; messages are being dropped."));
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The server says something to everyone: a <c>message</c> event from <c>"server"</c>, a name
    /// no member can hold. In private mode, which has no group messages, this is how an operator's
    /// announcement reaches every member.
    /// </summary>
    public virtual ValueTask OnServerMessageAsync(string text, IChatRoom room, CancellationToken cancellationToken)
    {
        room.SendToAll(ChatEvents.Message(Nickname.Server, text, ChatEvents.Now()));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc cref="IChatMode.OnServerMessageNumberedAsync"/>
    public virtual async ValueTask<long?> OnServerMessageNumberedAsync(string text, IChatRoom room, CancellationToken cancellationToken)
    {
        await OnServerMessageAsync(text, room, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>A text message from a member who has joined as <paramref name="nickname"/>.</summary>
    protected abstract ValueTask OnChatMessageAsync(ChatMember member, string nickname, ReadOnlyMemory<byte> utf8, IChatRoom room, CancellationToken cancellationToken);

    /// <summary>
    /// Greets a member that just joined: the default sends its <c>users</c> event (who is online).
    /// Runs before <see cref="OnJoinedAsync"/> and before anything the room sends the member
    /// meanwhile. Returns false when the member could not be served after all and is being closed.
    /// </summary>
    private protected virtual ValueTask<bool> WelcomeAsync(ChatMember member, string nickname, IReadOnlyList<string> online, IChatRoom room, CancellationToken cancellationToken)
    {
        member.Send(ChatEvents.Users(nickname, online));
        return ValueTask.FromResult(true);
    }

    /// <summary>
    /// Welcomes a member into a numbered stream of its own (nick-broadcast's chat, a user's inbox):
    /// <c>users</c> with the stream's epoch and latest offset, the history (or what a resume missed),
    /// then <c>recovered</c> if it asked to resume. <paramref name="join"/> enters the stream and runs
    /// the welcome it is given. A member that cannot be welcomed is closed with 4003; returns false then.
    /// </summary>
    private protected static async ValueTask<bool> WelcomeToStreamAsync(ChatMember member, string nickname, IReadOnlyList<string> online, long? read, Func<Action<Rooms.RoomSnapshot>, ValueTask<bool>> join)
    {
        try
        {
            var welcomed = await join(snapshot =>
            {
                member.Send(ChatEvents.Users(nickname, online, snapshot.Epoch, snapshot.Offset, read));
                foreach (var entry in snapshot.History)
                {
                    member.Send(ChatEvents.History(entry));
                }
                if (snapshot.Recovered is { } recovered)
                {
                    member.Send(ChatEvents.Recovered(recovered, snapshot.History.Count));
                }
            }).ConfigureAwait(false);
            if (!welcomed)
            {
                // It would be a member that never had its users event: better asked to come back.
                await RefuseAsync(member, ChatErrorCode.Unavailable, "Joining the chat did not complete; try again.", ChatErrorCode.CloseUnavailable).ConfigureAwait(false);
            }
            return welcomed;
        }
        catch (Scaling.BackplaneUnavailableException)
        {
            await RefuseAsync(member, ChatErrorCode.Unavailable, "The chat cannot be reached right now; try again shortly.", ChatErrorCode.CloseUnavailable).ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>
    /// Sent to a member right after it joined, after the <c>users</c> event and before anything the
    /// room sends it meanwhile (those deliveries are held until this completes). Default: nothing.
    /// </summary>
    protected virtual ValueTask OnJoinedAsync(ChatMember member, IChatRoom room, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Whether everyone hears of each login and logout (<c>join</c>/<c>leave</c> to the whole chat). Default true; rooms mode announces per room instead.</summary>
    protected virtual bool AnnouncesPresence => true;

    /// <summary>Sends an <c>error</c> event to one member; the connection stays open.</summary>
    protected static void SendError(ChatMember member, string code, string message) => member.Send(ChatEvents.Error(code, message));

    private async ValueTask LoginAsync(ChatMember member, string requested, IChatRoom room, CancellationToken cancellationToken)
    {
        if (!Nickname.TryNormalize(requested, out var nickname, out var why))
        {
            await RefuseAsync(member, ChatErrorCode.InvalidNickname, why, ChatErrorCode.CloseInvalidNickname).ConfigureAwait(false);
            return;
        }
        // What the room sends the member from the moment it is in (messages, joins, private
        // messages) waits until it has its users event and whatever OnJoinedAsync sends (the
        // history), so it sees the chat in order; see DeliveryHold.
        member.HoldDeliveries();
        JoinResult joined;
        try
        {
            joined = await room.TryJoinAsync(member, nickname, cancellationToken).ConfigureAwait(false);
            switch (joined)
            {
                case JoinResult.NicknameTaken:
                    await RefuseAsync(member, ChatErrorCode.NicknameTaken, $"The nickname {nickname} is taken.", ChatErrorCode.CloseNicknameTaken).ConfigureAwait(false);
                    return;
                case JoinResult.Unavailable:
                    await RefuseAsync(member, ChatErrorCode.Unavailable, "Nicknames cannot be checked right now; try again shortly.", ChatErrorCode.CloseUnavailable).ConfigureAwait(false);
                    return;
            }
            // Another connection of the same user may have joined first under a different spelling: use the room's.
            nickname = member.Nickname ?? nickname;
            var online = await room.GetNicknamesAsync(cancellationToken).ConfigureAwait(false);
            // Read after the member came in: a join or leave held for it may predate the list.
            var copies = new PresenceCopies(online);
            member.SkipHeldCopies((message, mark) => mark is null && copies.WasAnnounced(message));
            if (!await WelcomeAsync(member, nickname, [.. online.Order(StringComparer.OrdinalIgnoreCase)], room, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
            await OnJoinedAsync(member, room, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            member.ReleaseDeliveries();
        }
        if (joined == JoinResult.Joined && AnnouncesPresence)
        {
            room.SendToAllExcept(member, ChatEvents.Join(nickname));
        }
    }

    private protected static Task RefuseAsync(ChatMember member, string code, string why, int closeCode)
    {
        member.Send(ChatEvents.Error(code, why));
        return member.CloseAsync(closeCode, why);
    }

    /// <summary>The percent-decoded nickname of an accepted path <c>/websocket/&lt;nick&gt;</c>; null when the path names none.</summary>
    internal static string? NicknameFromPath(string path) =>
        path.Length > Prefix.Length + 1 ? Uri.UnescapeDataString(path[(Prefix.Length + 1)..]) : null;

    /// <summary>The seed's login page sends the bare nickname; a JSON client may send <c>{"name":...}</c>.</summary>
    internal static string NicknameFromFirstMessage(string text)
    {
        if (text.TrimStart().StartsWith('{'))
        {
            try
            {
                var login = JsonSerializer.Deserialize(text, ChatJsonContext.Default.ClientMessage);
                return login?.Name ?? "";
            }
            catch (JsonException)
            {
                return "";
            }
        }
        return text;
    }
}
