using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Rooms;

namespace Fleck.Chat;

/// <summary>Older history for backends: the same pages a client gets with its <c>history</c> command.</summary>
public sealed partial class ChatServer
{
    /// <summary>
    /// A page of a stream's kept messages: those with an offset below <paramref name="before"/> (the
    /// latest when null), the newest <paramref name="limit"/> of them, oldest first, and whether older
    /// ones are still kept. The stream is <paramref name="room"/>'s in a mode with rooms
    /// (<see cref="IChatMode.HasRooms"/>), nick-broadcast's chat otherwise (<paramref name="room"/> is
    /// then ignored). A stream that does not exist gives an empty page and is not created.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="room"/> is missing or not a valid room name (in a mode with rooms).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="before"/> is below 1, or <paramref name="limit"/> is not 1-100.</exception>
    /// <exception cref="NotSupportedException">The chat's mode keeps no shared history (broadcast, private).</exception>
    /// <exception cref="Scaling.BackplaneUnavailableException">The stream cannot be reached right now.</exception>
    public async Task<StreamPage> GetHistoryAsync(string? room, long? before = null, int limit = StreamCommand.DefaultLimit, CancellationToken cancellationToken = default)
    {
        if (before is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(before), before, "A page ends before an offset of at least 1.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, StreamCommand.MaxLimit);
        string stream;
        if (Mode.HasRooms)
        {
            ArgumentException.ThrowIfNullOrEmpty(room);
            stream = RoomArgument(room);
        }
        else if (Mode is NickBroadcastMode)
        {
            stream = ChatStream.Name;
        }
        else
        {
            throw new NotSupportedException($"A {Mode.Name} chat keeps no shared history.");
        }
        return await _room.StreamServices.ReadPageAsync(stream, before, limit, cancellationToken).ConfigureAwait(false);
    }
}
