namespace Fleck.Chat.Client.Sending;

/// <summary>A command that goes out again on every new connection until it is answered (a send, a history request).</summary>
internal interface IResendable
{
    /// <summary>The exact bytes, the same every time.</summary>
    byte[] Command { get; }

    /// <summary>The connection it last went out on (0: none yet). Guarded by the client's send lock.</summary>
    long SentOn { get; set; }

    /// <summary>True once answered, failed or given up.</summary>
    bool Settled { get; }
}
