using System.Text.Json.Serialization;

namespace Fleck.Chat.Redis;

/// <summary>Source-generated JSON for what the backplane stores: stream messages, as <c>{"name","msg","ts"}</c>.</summary>
[JsonSerializable(typeof(StoredMessage))]
internal sealed partial class RedisJsonContext : JsonSerializerContext;
