namespace Fleck.Chat.Transport;

/// <summary>Why an upgrade was refused, as counted and reported (the <c>reason</c> tag of the metric).</summary>
internal enum HandshakeRefusalReason
{
    BadRequest,
    NotFound,
    Origin,
    TooLarge,
    Timeout,
    ServerFull,
    Unauthorized,
    Forbidden,
    Other,

    /// <summary>The client's address already holds as many connections, or handshakes, as it may.</summary>
    AddressLimit,

    /// <summary>The client's address opened new connections faster than it may.</summary>
    AddressRate,

    /// <summary>The user is banned (the chat's ban list) until later.</summary>
    Banned,
}

internal static class HandshakeRefusalReasons
{
    /// <summary>Every reason, in enum order.</summary>
    public static IReadOnlyList<HandshakeRefusalReason> All { get; } = Enum.GetValues<HandshakeRefusalReason>();

    /// <summary>The tag value, in the snake_case metric labels use.</summary>
    public static string Tag(HandshakeRefusalReason reason) => reason switch
    {
        HandshakeRefusalReason.BadRequest => "bad_request",
        HandshakeRefusalReason.NotFound => "not_found",
        HandshakeRefusalReason.Origin => "origin",
        HandshakeRefusalReason.TooLarge => "too_large",
        HandshakeRefusalReason.Timeout => "timeout",
        HandshakeRefusalReason.ServerFull => "server_full",
        HandshakeRefusalReason.Unauthorized => "unauthorized",
        HandshakeRefusalReason.Forbidden => "forbidden",
        HandshakeRefusalReason.AddressLimit => "address_limit",
        HandshakeRefusalReason.AddressRate => "address_rate",
        HandshakeRefusalReason.Banned => "banned",
        _ => "other",
    };

    /// <summary>
    /// The reason behind a refusal the negotiator answered with <paramref name="status"/>: its only
    /// 403 is the origin check (the server counts an authenticator's 403 as
    /// <see cref="HandshakeRefusalReason.Forbidden"/> itself).
    /// </summary>
    public static HandshakeRefusalReason ForStatus(int status) => status switch
    {
        400 or 405 or 426 => HandshakeRefusalReason.BadRequest,
        401 => HandshakeRefusalReason.Unauthorized,
        403 => HandshakeRefusalReason.Origin,
        404 => HandshakeRefusalReason.NotFound,
        431 => HandshakeRefusalReason.TooLarge,
        503 => HandshakeRefusalReason.ServerFull,
        _ => HandshakeRefusalReason.Other,
    };
}
