using Fleck.Chat.Scaling;

namespace Fleck.Chat.Redis;

/// <summary>Disconnecting a user on every node.</summary>
public sealed partial class RedisBackplane
{
    /// <inheritdoc />
    /// <remarks>
    /// Goes out on the broadcast channel rather than to the node holding the nickname's claim:
    /// every node closes whatever connections of that user it holds.
    /// </remarks>
    public void PublishDisconnect(string nickname, int closeCode)
    {
        ArgumentNullException.ThrowIfNull(nickname);
        ArgumentOutOfRangeException.ThrowIfLessThan(closeCode, 1000);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(closeCode, 4999);
        Publish(_keys.Broadcast, Envelope.ForDisconnect(_nodeIdBytes, NextSequence(), nickname, closeCode));
    }

    private void OnDisconnect(IBackplaneNode node, ReadOnlySpan<byte> data, ReadOnlySpan<byte> origin)
    {
        if (Envelope.TryReadDisconnect(data, out var sequence, out var nickname, out var closeCode) && _seen.IsFirst(origin, sequence))
        {
            node.DisconnectMember(nickname, closeCode);
        }
    }
}
