using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;

namespace Fleck.Chat.Redis.Tests.Support;

/// <summary>The chat-server side of a backplane, reduced to a record of what the backplane delivered, for tests of the backplane alone.</summary>
internal sealed class RecordingNode : IBackplaneNode
{
    public ConcurrentQueue<string> ToAll { get; } = new();
    public ConcurrentQueue<(string Nickname, string Text)> ToMember { get; } = new();
    public ConcurrentQueue<string> Lost { get; } = new();
    public ConcurrentQueue<string> Returned { get; } = new();
    public ConcurrentQueue<string> NicknamesLost { get; } = new();
    public ConcurrentQueue<(string Nickname, int CloseCode)> Disconnected { get; } = new();

    public IReadOnlyCollection<string> LocalNicknames => [];

    public ConcurrentQueue<byte[]> BinaryToAll { get; } = new();

    public void DeliverToAll(ReadOnlyMemory<byte> payload, WebSocketMessageType type)
    {
        if (type == WebSocketMessageType.Binary)
        {
            BinaryToAll.Enqueue(payload.ToArray());
        }
        else
        {
            ToAll.Enqueue(Encoding.UTF8.GetString(payload.Span));
        }
    }

    public void DeliverToMember(string nickname, ReadOnlyMemory<byte> text) => ToMember.Enqueue((nickname, Encoding.UTF8.GetString(text.Span)));

    public void DisconnectMember(string nickname, int closeCode) => Disconnected.Enqueue((nickname, closeCode));

    public void MembersLost(IReadOnlyCollection<string> nicknames)
    {
        foreach (var nickname in nicknames)
        {
            Lost.Enqueue(nickname);
        }
    }

    public void NicknameLost(string nickname) => NicknamesLost.Enqueue(nickname);

    public void MembersReturned(IReadOnlyCollection<string> nicknames)
    {
        foreach (var nickname in nicknames)
        {
            Returned.Enqueue(nickname);
        }
    }

    // Stream traffic is not what these tests look at.
    public void DeliverRoomEvent(string room, ReadOnlyMemory<byte> text)
    {
    }

    public void RoomMemberLost(string room, string nickname)
    {
    }

    public void DeliverStreamMessage(string stream, string epoch, RoomEntry entry)
    {
    }
}
