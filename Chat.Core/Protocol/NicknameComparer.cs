namespace Fleck.Chat.Protocol;

/// <summary>
/// Equal nicknames are those with the same <see cref="Nickname.Key"/>. ASCII names, the common
/// case, are compared ordinally ignoring case without building their keys: for ASCII that is the
/// same relation, and their hash codes agree with the hash codes of the keys of non-ASCII names.
/// </summary>
internal sealed class NicknameComparer : StringComparer
{
    public static NicknameComparer Instance { get; } = new();

    private NicknameComparer()
    {
    }

    public override bool Equals(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }
        if (x is null || y is null)
        {
            return false;
        }
        if (System.Text.Ascii.IsValid(x) && System.Text.Ascii.IsValid(y))
        {
            return string.Equals(x, y, StringComparison.OrdinalIgnoreCase);
        }
        return string.Equals(NicknameKey.Of(x), NicknameKey.Of(y), StringComparison.Ordinal);
    }

    public override int GetHashCode(string obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        // An ASCII name's key is its lower case, which hashes as the name does ignoring case.
        var key = System.Text.Ascii.IsValid(obj) ? obj : NicknameKey.Of(obj);
        return string.GetHashCode(key, StringComparison.OrdinalIgnoreCase);
    }

    public override int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }
        if (x is null)
        {
            return -1;
        }
        if (y is null)
        {
            return 1;
        }
        return string.CompareOrdinal(NicknameKey.Of(x), NicknameKey.Of(y));
    }
}
