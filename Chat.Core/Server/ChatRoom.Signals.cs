using Fleck.Chat.Modes;
using Fleck.Chat.Scaling;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Server;

/// <summary>Signals (typing, read markers) to the connections that asked for them (<c>v=3</c>), here and on the other nodes.</summary>
internal sealed partial class ChatRoom
{
    /// <summary>History pages, read markers and typing for the built-in modes; set by the server.</summary>
    public StreamServices StreamServices { get; set; } = null!;

    StreamServices IChatRoom.StreamServices => StreamServices;

    /// <summary>To every v=3 connection of <paramref name="nickname"/> on every node but <paramref name="except"/>.</summary>
    public void SignalUser(string nickname, ChatMember? except, OutgoingMessage message)
    {
        DeliverSignalToUser(nickname, except, message);
        backplane.Bus.PublishSignal(SignalScope.User, nickname, null, message.Payload);
    }

    void IBackplaneNode.DeliverSignal(SignalScope scope, string name, string? exceptUser, ReadOnlyMemory<byte> text)
    {
        var message = OutgoingMessage.TrustedText(text.Span);
        if (scope == SignalScope.Stream)
        {
            Streams.DeliverSignal(name, exceptUser, message);
        }
        else
        {
            DeliverSignalToUser(name, except: null, message);
        }
    }

    private void DeliverSignalToUser(string nickname, ChatMember? except, OutgoingMessage message)
    {
        var sent = 0;
        foreach (var member in LocalMembersNamed(nickname))
        {
            if (member != except && member.SpeaksV3 && member.Deliver(message))
            {
                sent++;
            }
        }
        counters.Delivered(sent, (long)sent * message.WireLength);
    }
}
