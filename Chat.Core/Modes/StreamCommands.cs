using Fleck.Chat.Protocol;
using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Modes;

/// <summary>
/// <c>history</c>, <c>read</c> and <c>typing</c> in the built-in nickname modes. The stream a command
/// acts on: nick-broadcast's chat; in rooms mode the command's room (for its members); in private
/// mode with identity the user's inbox (without identity there is none: <c>invalid_request</c>).
/// </summary>
internal static class StreamCommands
{
    /// <summary>A well-formed typing command of a joined member of a built-in nickname mode: handled before the rate limiter.</summary>
    public static bool IsTyping(IChatMode mode, ChatMember member, WebSocketMessage message, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StreamCommand? command)
    {
        command = null;
        // Looked for before parsing: every rooms command names a type, few of them are typing.
        return member.HasJoined && message.IsText && mode is NickBroadcastMode or PrivateMode or RoomsMode
            && message.Data.Span.IndexOf("\"typing\""u8) >= 0
            && StreamCommand.TryRead(message.Data.Span, StreamCommand.Typing, out command);
    }

    /// <summary>Forwards a typing to the scope's v=3 connections but the sender's, at most once per user and scope per 2 s.</summary>
    public static async ValueTask TypingAsync(IChatMode mode, ChatMember member, StreamCommand command, IChatRoom room, CancellationToken cancellationToken)
    {
        var nickname = member.Nickname!;
        var services = room.StreamServices;
        var user = Nickname.Key(nickname);
        switch (mode)
        {
            case RoomsMode:
                if (RoomOf(member, command, room) is not { } name)
                {
                    return;
                }
                if (await services.TryTakeTypingTurnAsync(user, name, cancellationToken).ConfigureAwait(false))
                {
                    services.SignalStream(name, nickname, StreamEvents.Typing(name, nickname));
                }
                break;
            case PrivateMode:
                var target = command.ToClient?.Trim();
                if (string.IsNullOrEmpty(target))
                {
                    member.Send(ChatEvents.Error(ChatErrorCode.MissingField, "Say who is being written to: \"to_client\" is missing."));
                    return;
                }
                // Never to the sender's own connections; an offline target simply has none.
                if (!Nickname.Comparer.Equals(target, nickname)
                    && await services.TryTakeTypingTurnAsync(user, "@" + Nickname.Key(target), cancellationToken).ConfigureAwait(false))
                {
                    services.SignalUser(target, except: null, StreamEvents.Typing(null, nickname));
                }
                break;
            default:
                if (await services.TryTakeTypingTurnAsync(user, ChatStream.Name, cancellationToken).ConfigureAwait(false))
                {
                    services.SignalStream(ChatStream.Name, nickname, StreamEvents.Typing(null, nickname));
                }
                break;
        }
    }

    /// <summary>
    /// A <c>history</c> or <c>read</c> command on <paramref name="stream"/> (null: the mode has none for
    /// this member); <paramref name="room"/> goes into the answer in rooms mode.
    /// </summary>
    public static async ValueTask HandleAsync(ChatMember member, StreamCommand command, string? stream, string? room, IChatRoom chat, CancellationToken cancellationToken)
    {
        if (stream is null)
        {
            Error(member, room, ChatErrorCode.InvalidRequest, "Private conversations are kept only when the server signs users in.");
            return;
        }
        try
        {
            if (command.Type == StreamCommand.History)
            {
                if (!command.TryReadPage(out var before, out var limit))
                {
                    Error(member, room, ChatErrorCode.InvalidRequest, $"\"before\" must be an integer of at least 1 and \"limit\" an integer from 1 to {StreamCommand.MaxLimit}.");
                    return;
                }
                var page = await chat.StreamServices.ReadPageAsync(stream, before, limit, cancellationToken).ConfigureAwait(false);
                member.Send(StreamEvents.Page(room, page));
            }
            else if (command.Type == StreamCommand.Read)
            {
                if (!command.TryReadOffset(out var offset))
                {
                    Error(member, room, ChatErrorCode.InvalidRequest, "\"offset\" must be an integer of at least 0.");
                    return;
                }
                var nickname = member.Nickname!;
                if (await chat.StreamServices.MarkReadAsync(stream, Nickname.Key(nickname), offset, cancellationToken).ConfigureAwait(false) is { } moved)
                {
                    chat.StreamServices.SignalUser(nickname, except: member, StreamEvents.Read(room, moved));
                }
            }
        }
        catch (BackplaneUnavailableException)
        {
            Error(member, room, ChatErrorCode.Unavailable, "The stream cannot be reached right now; try again shortly.");
        }
    }

    /// <summary>The inbox of an identified member of private mode; null without identity.</summary>
    public static string? InboxOf(ChatMember member) =>
        member.Identity is null || member.Nickname is null ? null : InboxName.Of(Nickname.Key(member.Nickname));

    /// <summary>For the <c>read</c> field of <c>users</c> / <c>joined</c>: the member's marker in <paramref name="stream"/> on a v=3 connection (0 when it cannot be read), else null (no field).</summary>
    public static async ValueTask<long?> ReadFieldAsync(ChatMember member, string nickname, string? stream, IChatRoom room, CancellationToken cancellationToken)
    {
        if (!member.SpeaksV3 || stream is null)
        {
            return null;
        }
        try
        {
            return await room.StreamServices.GetReadAsync(stream, Nickname.Key(nickname), cancellationToken).ConfigureAwait(false);
        }
        catch (BackplaneUnavailableException)
        {
            return 0;
        }
    }

    /// <summary>The command's room, when valid and the member is in it; else the member is told why and null.</summary>
    public static string? RoomOf(ChatMember member, StreamCommand command, IChatRoom room)
    {
        if (!RoomName.TryNormalize(command.Room, out var name))
        {
            member.Send(RoomEvents.Error(RoomErrorCode.InvalidRoom,
                "A room name is 1-32 characters: letters, digits, '_' or '-', starting with a letter or digit.", command.Room));
            return null;
        }
        if (!room.Rooms.IsMember(member, name))
        {
            member.Send(RoomEvents.Error(RoomErrorCode.NotInRoom, $"Join #{name} first.", name));
            return null;
        }
        return name;
    }

    private static void Error(ChatMember member, string? room, string code, string message) =>
        member.Send(room is null ? ChatEvents.Error(code, message) : RoomEvents.Error(code, message, room));
}
