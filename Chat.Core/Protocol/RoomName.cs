namespace Fleck.Chat.Protocol;

/// <summary>
/// The room-name rule of rooms mode: ASCII letters are lower-cased, then the name must match
/// <c>[a-z0-9][a-z0-9_-]{0,31}</c>. Names are ASCII so they are safe in Redis keys, URLs and logs as they are.
/// </summary>
public static class RoomName
{
    /// <summary>Longest room name.</summary>
    public const int MaxLength = 32;

    /// <summary>Checks a requested room name and returns it lower-cased; false when it breaks the rule.</summary>
    public static bool TryNormalize(string? requested, out string room)
    {
        room = "";
        if (string.IsNullOrEmpty(requested) || requested.Length > MaxLength)
        {
            return false;
        }
        Span<char> folded = stackalloc char[requested.Length];
        for (var i = 0; i < requested.Length; i++)
        {
            var c = requested[i];
            if (c is >= 'A' and <= 'Z')
            {
                c = (char)(c + ('a' - 'A'));
            }
            var allowed = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') || (i > 0 && c is '_' or '-');
            if (!allowed)
            {
                return false;
            }
            folded[i] = c;
        }
        room = new string(folded);
        return true;
    }
}
