using StackExchange.Redis;

namespace Fleck.Chat.Redis;

/// <summary>
/// Names of every key and channel one chat uses, all under one prefix:
/// <list type="bullet">
/// <item><c>all</c>: the broadcast channel every node subscribes to.</item>
/// <item><c>node:&lt;id&gt;</c>: the channel of one node, for private messages to its members.</item>
/// <item><c>nick:&lt;key&gt;</c>: a nickname claim, under the name's comparison key (string, the holder's node id, with a TTL).</item>
/// <item><c>members:&lt;id&gt;</c>: a node's nicknames (hash: claim suffix → nickname as typed).</item>
/// <item><c>alive:&lt;id&gt;</c>: a node's heartbeat (with a TTL).</item>
/// <item><c>swept:&lt;id&gt;</c>: set when a node was taken for dead, for it to find if it comes back.</item>
/// <item><c>nodes</c>: the set of node ids that have members or may still come back.</item>
/// </list>
/// </summary>
internal sealed class RedisKeys(string prefix, string nodeId)
{
    public string Prefix { get; } = prefix;

    /// <summary>Start of every claim key; the scripts append a claim suffix to it.</summary>
    public string NicknamePrefix { get; } = prefix + "nick:";

    /// <summary>Start of every node's member hash; the scripts append a node id to it.</summary>
    public string MembersPrefix { get; } = prefix + "members:";

    public RedisChannel Broadcast { get; } = RedisChannel.Literal(prefix + "all");

    public RedisChannel OwnChannel { get; } = RedisChannel.Literal(prefix + "node:" + nodeId);

    public RedisKey OwnMembers { get; } = prefix + "members:" + nodeId;

    public RedisKey OwnAlive { get; } = prefix + "alive:" + nodeId;

    public RedisKey OwnSwept { get; } = prefix + "swept:" + nodeId;

    public RedisKey Nodes { get; } = prefix + "nodes";

    public RedisChannel NodeChannel(string id) => RedisChannel.Literal(Prefix + "node:" + id);

    public RedisKey Members(string id) => MembersPrefix + id;

    public RedisKey Alive(string id) => Prefix + "alive:" + id;

    public RedisKey Swept(string id) => Prefix + "swept:" + id;

    public RedisKey Nickname(string claimSuffix) => NicknamePrefix + claimSuffix;

    /// <summary>
    /// The claim suffix of a nickname: its <see cref="Fleck.Chat.Protocol.Nickname.Key"/>, the key
    /// every node compares names on, so two names one node holds equal can never both be claimed on
    /// different nodes. The Lua scripts use the suffix as given and never change its case.
    /// </summary>
    public static string ClaimSuffix(string nickname) => Fleck.Chat.Protocol.Nickname.Key(nickname);
}
