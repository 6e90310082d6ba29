using System.Security.Cryptography;
using Fleck.Chat.Rooms;

namespace Fleck.Chat.Scaling;

/// <summary>
/// The default <see cref="IChatStreamStore"/>: it keeps nothing, the chat's own memory holds each
/// stream once. A stream the chat forgets (unused for its time to live, or pushed out of the history
/// memory), like every stream after a restart, starts over under a new epoch, and clients that resume
/// from before are told so.
/// Thread-safety: all members may be called concurrently.
/// </summary>
public sealed class InMemoryChatStreamStore : IChatStreamStore
{
    /// <inheritdoc />
    public ValueTask<RoomStreamState> OpenStreamAsync(string stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ValueTask.FromResult(new RoomStreamState(NewEpoch(), 0, []));
    }

    /// <inheritdoc />
    public void Append(string stream, RoomEntry entry, int capacity) => ArgumentNullException.ThrowIfNull(entry);

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>A new random epoch: 16 hex digits.</summary>
    internal static string NewEpoch() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
