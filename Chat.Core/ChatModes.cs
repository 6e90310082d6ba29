using Fleck.Chat.Modes;

namespace Fleck.Chat;

/// <summary>The built-in chat modes by name, as the host's <c>--mode</c> flag spells them.</summary>
public static class ChatModes
{
    /// <summary>The names: <c>broadcast</c>, <c>nick-broadcast</c>, <c>private</c>, <c>rooms</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["broadcast", "nick-broadcast", "private", "rooms"];

    /// <summary>Creates a built-in mode by name, case-insensitively; <c>nickbroadcast</c> and <c>nick_broadcast</c> also work.</summary>
    public static bool TryCreate(string name, out IChatMode? mode)
    {
        mode = name.Trim().Replace("_", "-", StringComparison.Ordinal).ToLowerInvariant() switch
        {
            "broadcast" => new BroadcastMode(),
            "nick-broadcast" or "nickbroadcast" => new NickBroadcastMode(),
            "private" => new PrivateMode(),
            "rooms" => new RoomsMode(),
            _ => null,
        };
        return mode is not null;
    }
}
