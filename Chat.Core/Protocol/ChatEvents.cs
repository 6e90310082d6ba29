using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Fleck.Chat.Rooms;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Protocol;

/// <summary>
/// Builds the server events of the JSON modes, each serialized once into a ready frame that can be
/// sent to every recipient as it is.
/// </summary>
internal static class ChatEvents
{
    /// <summary>The output is JSON read by JSON.parse, never inlined into HTML, so non-ASCII text can stay as UTF-8.</summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public static OutgoingMessage Message(string name, string msg, long ts) =>
        Frame(new ServerEvent { Type = "message", Name = name, Msg = msg, Ts = ts });

    /// <summary>A numbered message of the chat's stream (nick-broadcast).</summary>
    public static OutgoingMessage Message(RoomEntry entry) =>
        Frame(new ServerEvent { Type = "message", Name = entry.Name, Msg = entry.Msg, Ts = entry.Ts, Offset = entry.Offset, Id = entry.Id });

    public static OutgoingMessage History(RoomEntry entry) =>
        Frame(new ServerEvent { Type = "history", Name = entry.Name, ToClient = entry.To, Msg = entry.Msg, Ts = entry.Ts, Offset = entry.Offset, Id = entry.Id }, isReplay: true);

    /// <summary>
    /// Ends a resume: true when the history events just sent were exactly the messages the client
    /// missed, false when they were only the recent history and something may be missing.
    /// </summary>
    public static OutgoingMessage Recovered(bool recovered, int count) =>
        Frame(new ServerEvent
        {
            Type = "recovered",
            Name = Nickname.Server,
            Msg = RecoveredText(recovered, count),
            Recovered = recovered,
            Count = recovered ? count : null,
            Ts = Now(),
        });

    /// <summary>Shared with rooms mode, whose <c>recovered</c> event says the same.</summary>
    public static string RecoveredText(bool recovered, int count) =>
        recovered
            ? count == 1 ? "Reconnected; 1 missed message recovered." : $"Reconnected; {count} missed messages recovered."
            : "Reconnected; some messages may be missing.";

    public static OutgoingMessage Private(string from, string to, string msg, long ts) =>
        Frame(new ServerEvent { Type = "private", Name = from, ToClient = to, Msg = msg, Ts = ts });

    /// <summary>A private message kept in an inbox: numbered by that inbox's offset.</summary>
    public static OutgoingMessage Private(RoomEntry entry) =>
        Frame(new ServerEvent { Type = "private", Name = entry.Name, ToClient = entry.To, Msg = entry.Msg, Ts = entry.Ts, Offset = entry.Offset, Id = entry.Id });

    /// <summary>
    /// Acknowledges a send with an id to its sender: the offset it got (none for a private message
    /// without inbox), its room in rooms mode, and whether it was a re-send answered again.
    /// </summary>
    public static OutgoingMessage Ack(string id, long? offset, string? room, bool duplicate) =>
        Frame(new ServerEvent { Type = "ack", Room = room, Name = Nickname.Server, Msg = "", Ts = Now(), Offset = offset, Id = id, Duplicate = duplicate ? true : null });

    public static OutgoingMessage Users(string you, IReadOnlyList<string> users, string? epoch = null, long? offset = null, long? read = null) =>
        Frame(new ServerEvent
        {
            Epoch = epoch,
            Offset = offset,
            Read = read,
            Type = "users",
            Name = Nickname.Server,
            Msg = $"Welcome, {you}. Online ({users.Count}): {string.Join(", ", users)}",
            Users = users,
            You = you,
            Ts = Now(),
        });

    public static OutgoingMessage Join(string user) =>
        Frame(new ServerEvent { Type = "join", Name = Nickname.Server, Msg = $"{user} joined", User = user, Ts = Now() });

    public static OutgoingMessage Leave(string user) =>
        Frame(new ServerEvent { Type = "leave", Name = Nickname.Server, Msg = $"{user} left", User = user, Ts = Now() });

    public static OutgoingMessage Refreshed(string msg, long? exp) =>
        Frame(new ServerEvent { Type = "refreshed", Name = Nickname.Server, Msg = msg, Exp = exp, Ts = Now() });

    /// <summary>An error; <paramref name="id"/> is the id of the send that caused it, if it had one.</summary>
    public static OutgoingMessage Error(string code, string msg, string? id = null) =>
        Frame(new ServerEvent { Type = "error", Name = Nickname.Server, Msg = msg, Code = code, Ts = Now(), Id = id });

    /// <summary>Reads back an event built here (on this node or another); false for anything else.</summary>
    public static bool TryRead(OutgoingMessage message, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ServerEvent? e)
    {
        e = null;
        if (message.IsBinary)
        {
            return false;
        }
        try
        {
            e = JsonSerializer.Deserialize(message.Payload.Span, ChatJsonContext.Default.ServerEvent);
            return e is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Serializes an event once, into the frame every recipient shares.</summary>
    internal static OutgoingMessage Frame(ServerEvent e, bool isReplay = false)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            JsonSerializer.Serialize(writer, e, ChatJsonContext.Default.ServerEvent);
        }
        return OutgoingMessage.TrustedText(buffer.WrittenSpan, isReplay);
    }
}
