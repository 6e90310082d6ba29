using System.Text;

namespace Fleck.Chat.Rooms;

/// <summary>
/// A message as a stream keeps it in memory: the text as the UTF-8 bytes it travels as (half the size
/// of a .NET string for most text), decoded only when it is replayed.
/// </summary>
internal sealed class KeptEntry
{
    private readonly byte[] _text;

    public KeptEntry(RoomEntry entry)
    {
        Name = entry.Name;
        _text = Encoding.UTF8.GetBytes(entry.Msg);
        Ts = entry.Ts;
        Offset = entry.Offset;
        Id = entry.Id;
        To = entry.To;
    }

    public string? Id { get; }

    public string? To { get; }

    public string Name { get; }

    public long Ts { get; }

    public long Offset { get; }

    /// <summary>Bytes of text this entry counts against the retain and memory limits.</summary>
    public int Size => _text.Length;

    public RoomEntry ToEntry() => new(Name, Encoding.UTF8.GetString(_text), Ts, Offset) { Id = Id, To = To };

    /// <summary>Bytes of text <paramref name="entry"/> counts, as <see cref="Size"/> does once kept.</summary>
    public static int SizeOf(RoomEntry entry) => Encoding.UTF8.GetByteCount(entry.Msg);
}
