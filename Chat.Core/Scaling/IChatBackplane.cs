namespace Fleck.Chat.Scaling;

/// <summary>
/// What connects one chat server to the other nodes of the same chat, split by responsibility: who is
/// where (<see cref="Presence"/>), bytes to the other nodes (<see cref="Bus"/>) and the numbered streams
/// (<see cref="Streams"/>). Each node delivers to its own members directly; the backplane carries the
/// same bytes to the other nodes and keeps what must be shared.
/// <para>The default, <see cref="InMemoryBackplane"/>, is one process; a Redis implementation lives in its own package.</para>
/// </summary>
public interface IChatBackplane : IAsyncDisposable
{
    /// <summary>Nickname claims and room presence, every node counted.</summary>
    IPresence Presence { get; }

    /// <summary>Publishing to the other nodes.</summary>
    INodeBus Bus { get; }

    /// <summary>
    /// The numbered streams (nick-broadcast's chat and each room); null when this backplane leaves
    /// them, and with them rooms, to each node alone (the server logs a warning when it starts with one).
    /// </summary>
    IStreamLog? Streams { get; }

    /// <summary>Joins the cluster; traffic from other nodes goes to <paramref name="node"/> from now on.</summary>
    Task ConnectAsync(IBackplaneNode node, CancellationToken cancellationToken);
}
