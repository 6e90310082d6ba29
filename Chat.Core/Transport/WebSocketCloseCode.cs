namespace Fleck.Chat.Transport;

/// <summary>Close status codes the server sends (RFC 6455 §7.4.1).</summary>
public static class WebSocketCloseCode
{
    /// <summary>1000: the purpose of the connection is fulfilled.</summary>
    public const int Normal = 1000;

    /// <summary>1001: the server is going down.</summary>
    public const int GoingAway = 1001;

    /// <summary>1002: the peer broke the protocol.</summary>
    public const int ProtocolError = 1002;

    /// <summary>1003: a message of a type the endpoint does not accept.</summary>
    public const int UnsupportedData = 1003;

    /// <summary>1007: a text message that is not valid UTF-8.</summary>
    public const int InvalidPayload = 1007;

    /// <summary>1008: the peer broke a policy, e.g. it stopped reading and its queue overflowed.</summary>
    public const int PolicyViolation = 1008;

    /// <summary>1009: a message larger than the server accepts.</summary>
    public const int MessageTooBig = 1009;

    /// <summary>1011: the server met an unexpected condition.</summary>
    public const int InternalError = 1011;

    /// <summary>1013: the server is overloaded; try again later.</summary>
    public const int TryAgainLater = 1013;
}
