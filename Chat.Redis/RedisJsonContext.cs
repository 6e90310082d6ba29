using System.Text.Json.Serialization;
using Fleck.Chat.Protocol;

namespace Fleck.Chat.Redis;

/// <summary>Source-generated JSON for what the backplane stores: history entries, as <c>{"name","msg","ts"}</c>.</summary>
[JsonSerializable(typeof(ChatHistoryEntry))]
internal sealed partial class RedisJsonContext : JsonSerializerContext;
