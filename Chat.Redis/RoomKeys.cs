using StackExchange.Redis;

namespace Fleck.Chat.Redis;

/// <summary>
/// Names of the keys and channels of rooms, under the chat's prefix. Room names are ASCII
/// (<see cref="Fleck.Chat.Protocol.RoomName"/>), so they go into names as they are:
/// <list type="bullet">
/// <item><c>room:&lt;R&gt;</c>: the room's channel; only nodes with a member in R subscribe.</item>
/// <item><c>room:&lt;R&gt;:stream</c>: hash of the stream's <c>epoch</c> (made with the stream), latest offset <c>seq</c> and kept text <c>bytes</c> (written together by the append script); expires a time to live after its last use, as does the history.</item>
/// <item><c>room:&lt;R&gt;:history</c>: the capped list of recent messages, each "offset json".</item>
/// <item><c>room:&lt;R&gt;:members</c>: hash nickname → connections in the room.</item>
/// <item><c>room:&lt;R&gt;:reads</c>: hash user → read marker; expires with the stream.</item>
/// <item><c>rooms</c>: sorted set room → distinct members, for the room list.</item>
/// <item><c>streams</c>: sorted set stream → when its keys expire (Unix ms), the count of streams for the most allowed.</item>
/// <item><c>sent:&lt;length&gt;:&lt;user&gt;:&lt;id&gt;</c>: "offset stream" of a user's send with an id, for the dedup window (<c>PX</c>).</item>
/// <item><c>roomsof:&lt;node&gt;</c>: hash "room\nnickname" → that node's connections, undone when the node dies.</item>
/// </list>
/// The one chat of nick-broadcast is the stream <c>~chat</c> (no room name can start with '~'):
/// <c>room:~chat</c>, <c>room:~chat:stream</c> and <c>room:~chat:history</c>, with no members.
/// </summary>
internal sealed class RoomKeys(string prefix)
{
    public RedisKey Index { get; } = prefix + "rooms";

    public RedisKey StreamCount { get; } = prefix + "streams";

    /// <summary>Start of the records of sends with an id (<c>sent:…</c>), each expiring after the dedup window.</summary>
    public string SentPrefix { get; } = prefix + "sent:";

    /// <summary>Start of every room key and channel: <c>&lt;prefix&gt;room:</c>.</summary>
    public string RoomPrefix { get; } = prefix + "room:";

    public RedisKey NodeRecord(string nodeId) => prefix + "roomsof:" + nodeId;

    public static string RecordField(string room, string nickname) => room + "\n" + nickname;

    public string ChannelName(string room) => prefix + "room:" + room;

    public RedisChannel Channel(string room) => RedisChannel.Literal(ChannelName(room));

    public RedisKey Stream(string room) => prefix + "room:" + room + ":stream";

    public RedisKey History(string room) => prefix + "room:" + room + ":history";

    public RedisKey Members(string room) => prefix + "room:" + room + ":members";

    /// <summary>The stream's read markers (user → offset); the stream scripts name it from <see cref="Stream"/>, so the two must stay in step.</summary>
    public RedisKey Reads(string room) => prefix + "room:" + room + ":reads";
}
