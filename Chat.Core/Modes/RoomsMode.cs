using System.Text.Json;
using Fleck.Chat.Protocol;
using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;

namespace Fleck.Chat.Modes;

/// <summary>
/// Chat in named rooms. The login is the nickname modes' (path <c>/websocket/&lt;nick&gt;</c>); after it
/// a member is in no room and sends JSON commands:
/// <c>{"type":"join","room":R}</c>, <c>{"type":"leave","room":R}</c>,
/// <c>{"type":"message","room":R,"msg":text}</c>, <c>{"type":"rooms"}</c>.
/// A room's messages go to that room's members only, the sender included, numbered by
/// <c>offset</c>; a joiner gets <c>joined</c> (users, epoch, latest offset) and the recent history
/// before any live message of the room; a join with <c>"since"</c> and <c>"epoch"</c> resumes instead
/// (the missed messages as history, then <c>recovered</c>). Errors (<c>invalid_room</c>, <c>not_in_room</c>,
/// <c>too_many_rooms</c>, <c>unknown_type</c>, ...) keep the connection open.
/// </summary>
public sealed class RoomsMode : NicknameChatMode, IChatMode
{
    /// <inheritdoc />
    public override string Name => "rooms";

    /// <inheritdoc />
    public bool HasRooms => true;

    /// <inheritdoc />
    protected override bool AnnouncesPresence => false;

    /// <inheritdoc />
    public override async ValueTask OnDisconnectedAsync(ChatMember member, IChatRoom room)
    {
        // Out of every room first (no more of their traffic), then the rooms' others are told, where
        // this was the user's last connection in the room.
        var left = await room.Rooms.LeaveAllAsync(member).ConfigureAwait(false);
        if (member.Nickname is { } nickname)
        {
            foreach (var name in left)
            {
                room.Rooms.SendToGroup(name, RoomEvents.Leave(name, nickname));
            }
        }
    }

    /// <inheritdoc />
    protected override ValueTask OnChatMessageAsync(ChatMember member, string nickname, ReadOnlyMemory<byte> utf8, IChatRoom room, CancellationToken cancellationToken)
    {
        RoomCommand? command;
        try
        {
            command = JsonSerializer.Deserialize(utf8.Span, RoomJsonContext.Default.RoomCommand);
        }
        catch (JsonException)
        {
            member.Send(RoomEvents.Error(ChatErrorCode.InvalidJson, "Send a JSON command: {\"type\": \"join\", \"room\": \"lobby\"}."));
            return ValueTask.CompletedTask;
        }
        switch (command?.Type)
        {
            case "rooms":
                return ListAsync(member, room.Rooms, cancellationToken);
            case StreamCommand.History or StreamCommand.Read or StreamCommand.Typing:
                return StreamCommandAsync(member, utf8, room, cancellationToken);
            case "join" or "leave" or "message":
                break;
            default:
                member.Send(RoomEvents.Error(RoomErrorCode.UnknownType, "Unknown command type: use join, leave, message or rooms."));
                return ValueTask.CompletedTask;
        }
        if (!RoomName.TryNormalize(command.Room, out var name))
        {
            member.Send(RoomEvents.Error(RoomErrorCode.InvalidRoom,
                "A room name is 1-32 characters: letters, digits, '_' or '-', starting with a letter or digit.", command.Room));
            return ValueTask.CompletedTask;
        }
        return command.Type switch
        {
            "join" => JoinAsync(member, nickname, name, command.Since is { } since ? new StreamPosition(since, command.Epoch) : null, room, cancellationToken),
            "leave" => LeaveAsync(member, nickname, name, room.Rooms),
            _ => SendWithIdAsync(member, nickname, name, command, room, cancellationToken),
        };
    }

    private static async ValueTask StreamCommandAsync(ChatMember member, ReadOnlyMemory<byte> utf8, IChatRoom room, CancellationToken cancellationToken)
    {
        // A typing reaches here only when it is not well-formed; a well-formed one was handled before the rate limit.
        if (StreamCommand.TryRead(utf8.Span, null, out var command) && command.Type != StreamCommand.Typing
            && StreamCommands.RoomOf(member, command, room) is { } name)
        {
            await StreamCommands.HandleAsync(member, command, name, name, room, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async ValueTask JoinAsync(ChatMember member, string nickname, string name, StreamPosition? resumeFrom, IChatRoom room, CancellationToken cancellationToken)
    {
        var rooms = room.Rooms;
        var read = await StreamCommands.ReadFieldAsync(member, nickname, name, room, cancellationToken).ConfigureAwait(false);
        var result = await rooms.JoinAsync(member, name, resumeFrom, snapshot =>
        {
            member.Send(RoomEvents.Joined(snapshot, read));
            foreach (var entry in snapshot.History)
            {
                member.Send(RoomEvents.History(name, entry));
            }
            if (snapshot.Recovered is { } recovered)
            {
                member.Send(RoomEvents.Recovered(name, recovered, snapshot.History.Count));
            }
        }, cancellationToken).ConfigureAwait(false);
        switch (result)
        {
            case RoomJoinResult.Joined:
                rooms.SendToGroup(name, RoomEvents.Join(name, nickname), except: member);
                break;
            case RoomJoinResult.AlreadyJoined or RoomJoinResult.JoinedAgain:
                break;
            case RoomJoinResult.TooManyRooms:
                member.Send(RoomEvents.Error(RoomErrorCode.TooManyRooms, $"You are in {rooms.MaxRoomsPerMember} rooms, the most allowed; leave one first.", name));
                break;
            case RoomJoinResult.TooManyStreams:
                member.Send(RoomEvents.Error(RoomErrorCode.TooManyStreams, $"#{name} cannot be created: the chat holds as many rooms as it may; join an existing one.", name));
                break;
            default:
                member.Send(RoomEvents.Error(ChatErrorCode.Unavailable, "Rooms cannot be reached right now; try again shortly.", name));
                break;
        }
    }

    private static async ValueTask LeaveAsync(ChatMember member, string nickname, string name, IRoomDirectory rooms)
    {
        var result = await rooms.LeaveAsync(member, name).ConfigureAwait(false);
        if (result == RoomLeaveResult.NotInRoom)
        {
            member.Send(RoomEvents.Error(RoomErrorCode.NotInRoom, $"You are not in #{name}.", name));
            return;
        }
        member.Send(RoomEvents.Left(name));
        if (result == RoomLeaveResult.Left)
        {
            rooms.SendToGroup(name, RoomEvents.Leave(name, nickname));
        }
    }

    private static async ValueTask SendWithIdAsync(ChatMember member, string nickname, string name, RoomCommand command, IChatRoom room, CancellationToken cancellationToken)
    {
        if (!SendId.TryRead(command.Id, out var id))
        {
            member.Send(RoomEvents.Error(ChatErrorCode.InvalidId, "An \"id\" is 1-64 characters: letters, digits, '_', '.', ':' or '-'. Nothing was sent.", name));
            return;
        }
        if (id is null)
        {
            await SendAsync(member, nickname, name, command.Msg, null, room, cancellationToken).ConfigureAwait(false);
            return;
        }
        try
        {
            // A member's message goes straight to the append, which finds a re-send by itself; for
            // anyone else the log is asked first, so a retry after leaving still gets its ack.
            var appendsAtOnce = room.Rooms.IsMember(member, name) && !string.IsNullOrEmpty(command.Msg);
            await room.Sends.SendAsync(member, NicknameKey.Of(nickname), id, name,
                () => SendAsync(member, nickname, name, command.Msg, id, room, cancellationToken), cancellationToken, appendsAtOnce).ConfigureAwait(false);
        }
        catch (BackplaneUnavailableException)
        {
            member.Send(RoomEvents.Error(ChatErrorCode.Unavailable, "The message could not be sent right now; try again shortly.", name, id));
        }
    }

    /// <summary>Sends a member's message to a room; errors carry <paramref name="id"/>. Returns its ack (null after an error).</summary>
    private static async ValueTask<SendOutcome> SendAsync(ChatMember member, string nickname, string name, string? msg, string? id, IChatRoom room, CancellationToken cancellationToken)
    {
        var rooms = room.Rooms;
        if (!rooms.IsMember(member, name))
        {
            member.Send(RoomEvents.Error(RoomErrorCode.NotInRoom, $"Join #{name} before writing to it.", name, id));
            return SendOutcome.Failed;
        }
        if (string.IsNullOrEmpty(msg))
        {
            member.Send(RoomEvents.Error(ChatErrorCode.MissingField, "The message is empty: \"msg\" is missing.", name, id));
            return SendOutcome.Failed;
        }
        try
        {
            if (id is null)
            {
                await rooms.PublishAsync(name, nickname, msg, cancellationToken).ConfigureAwait(false);
                return SendOutcome.Failed;
            }
            var result = await room.Sends.AppendAsync(new StreamAppend(name, nickname, msg, ChatEvents.Now(), 0) { Id = id, User = NicknameKey.Of(nickname) }, cancellationToken).ConfigureAwait(false);
            return new SendOutcome(new SentMessage(name, result.Entry.Offset, result.Entry.Ts), result.Duplicate);
        }
        catch (BackplaneUnavailableException)
        {
            member.Send(RoomEvents.Error(ChatErrorCode.Unavailable, "The message could not be sent right now; try again shortly.", name, id));
            return SendOutcome.Failed;
        }
    }

    private static async ValueTask ListAsync(ChatMember member, IRoomDirectory rooms, CancellationToken cancellationToken)
    {
        try
        {
            member.Send(RoomEvents.Rooms(await rooms.ListGroupsAsync(cancellationToken).ConfigureAwait(false)));
        }
        catch (BackplaneUnavailableException)
        {
            member.Send(RoomEvents.Error(ChatErrorCode.Unavailable, "The room list cannot be read right now; try again shortly."));
        }
    }
}
