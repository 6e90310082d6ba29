using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;

namespace Fleck.Chat.Fuzz;

/// <summary>
/// A text message from a client of the JSON modes: the login from the first message
/// (<see cref="NicknameChatMode.NicknameFromFirstMessage"/>, <see cref="Nickname.TryNormalize"/>),
/// nick-broadcast's text (<see cref="NickBroadcastMode.TryReadText"/>) and private mode's message
/// (<see cref="PrivateMode.TryParse"/>), each through to the event the server would send on.
/// </summary>
/// <remarks>
/// Expected: a refused login, unreadable JSON, missing fields. Unexpected: an exception (the modes
/// catch none outside these functions); an event that does not carry the text back unchanged; a
/// nickname breaking its rules (<see cref="NicknameCheck"/>).
/// </remarks>
internal static class MessageTarget
{
    public static void Run(ReadOnlySpan<byte> input)
    {
        // The transport lets only valid UTF-8 through as text; replacing what is not keeps every input on the real path.
        var text = Encoding.UTF8.GetString(input);
        var utf8 = Encoding.UTF8.GetBytes(text);

        NicknameCheck.Verify(NicknameChatMode.NicknameFromFirstMessage(text));
        NicknameCheck.Verify(text);
        // Nickname is public: a custom mode may hand it any string, not only well-formed UTF-16.
        NicknameCheck.Verify(new string(MemoryMarshal.Cast<byte, char>(input[..(input.Length & ~1)])));

        if (NickBroadcastMode.TryReadText(utf8, out var chat))
        {
            FuzzInvariantException.Check(chat.Length > 0, "empty chat text accepted");
            CheckRoundTrip(ChatEvents.Message("nick", chat, 0), chat, null);
        }
        if (PrivateMode.TryParse(utf8, out var message) && !string.IsNullOrEmpty(message?.Msg) && message.ToClient?.Trim() is { Length: > 0 } target)
        {
            CheckRoundTrip(ChatEvents.Private("nick", target, message.Msg, 0), message.Msg, target);
        }
    }

    /// <summary>The event a page receives must hold exactly the text that was sent.</summary>
    private static void CheckRoundTrip(Transport.OutgoingMessage sent, string msg, string? to)
    {
        // ChatEvents frames its JSON as trusted text: nothing checks the UTF-8 after it.
        FuzzInvariantException.Check(System.Text.Unicode.Utf8.IsValid(sent.Payload.Span), "an event that is not valid UTF-8");
        using var json = JsonDocument.Parse(sent.Payload);
        FuzzInvariantException.Check(json.RootElement.GetProperty("msg").GetString() == msg, "the event does not carry the text unchanged");
        FuzzInvariantException.Check(to is null || json.RootElement.GetProperty("to_client").GetString() == to, "the event does not carry the addressee unchanged");
    }
}
