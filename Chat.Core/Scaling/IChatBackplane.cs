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

/// <summary>Outcome of <see cref="IPresence.TryClaimSharedNicknameAsync"/>.</summary>
public enum SharedClaimResult
{
    /// <summary>The name is held exclusively (by a member without identity): not claimed.</summary>
    Taken,

    /// <summary>Claimed, and no other node held a share: the user has just come online.</summary>
    First,

    /// <summary>Claimed, and another node already holds a share: the user was online already.</summary>
    Again,
}

/// <summary>The backplane cannot answer right now (e.g. Redis is down).</summary>
public sealed class BackplaneUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BackplaneUnavailableException(string message, Exception? inner = null) : base(message, inner)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public BackplaneUnavailableException() : base("The chat backplane is unavailable.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public BackplaneUnavailableException(string message) : base(message)
    {
    }
}
