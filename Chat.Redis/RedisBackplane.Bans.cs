using Fleck.Chat.Scaling;

namespace Fleck.Chat.Redis;

/// <summary>The chat's ban list, kept beside the rest of its state.</summary>
public sealed partial class RedisBackplane
{
    /// <summary>
    /// A <see cref="RedisBanList"/> over this backplane's connection and key prefix, for
    /// <see cref="ChatServerOptions.Bans"/>; it works while this backplane is not disposed.
    /// </summary>
    public IBanList CreateBanList() => new RedisBanList(_redis, _options.Prefix);
}
