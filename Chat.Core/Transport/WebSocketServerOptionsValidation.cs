namespace Fleck.Chat.Transport;

/// <summary>
/// The ranges of <see cref="WebSocketServerOptions"/>, checked once when a <see cref="WebSocketServer"/>
/// is created: a value outside them would otherwise fail later, on some connection, far from its cause.
/// </summary>
internal static class WebSocketServerOptionsValidation
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> (named after the option) for the first value out of range.</summary>
    public static void Validate(this WebSocketServerOptions options)
    {
        const string Record = nameof(WebSocketServerOptions);
        ArgumentNullException.ThrowIfNull(options.Address, nameof(options.Address));
        ArgumentNullException.ThrowIfNull(options.SubProtocols, nameof(options.SubProtocols));
        OptionChecks.Between(Record, nameof(options.Port), options.Port, 0, 65535);
        OptionChecks.AtLeast(Record, nameof(options.MaxHandshakeBytes), options.MaxHandshakeBytes, 1);
        OptionChecks.Timeout(Record, nameof(options.HandshakeTimeout), options.HandshakeTimeout, zeroAllowed: false);
        OptionChecks.AtLeast(Record, nameof(options.MaxMessageBytes), options.MaxMessageBytes, 1);
        OptionChecks.AtLeast(Record, nameof(options.MaxConnections), options.MaxConnections, 1);
        OptionChecks.AtLeast(Record, nameof(options.MaxQueuedMessages), options.MaxQueuedMessages, 1);
        OptionChecks.AtLeast(Record, nameof(options.MaxQueuedBytes), options.MaxQueuedBytes, 1);
        OptionChecks.AtLeast(Record, nameof(options.MaxControlFramesPerSecond), options.MaxControlFramesPerSecond, 0);
        OptionChecks.Between(Record, nameof(options.MaxFragmentsPerMessage), options.MaxFragmentsPerMessage, 0, 1_000_000);
        OptionChecks.Timeout(Record, nameof(options.MessageAssemblyTimeout), options.MessageAssemblyTimeout, zeroAllowed: true);
        OptionChecks.AtLeast(Record, nameof(options.MaxConnectionsPerAddress), options.MaxConnectionsPerAddress, 0);
        OptionChecks.AtLeast(Record, nameof(options.MaxPendingHandshakesPerAddress), options.MaxPendingHandshakesPerAddress, 0);
        OptionChecks.Rate(Record, nameof(options.HandshakesPerSecondPerAddress), options.HandshakesPerSecondPerAddress);
        OptionChecks.AtLeast(Record, nameof(options.HandshakeBurstPerAddress), options.HandshakeBurstPerAddress, 1);
        OptionChecks.Timeout(Record, nameof(options.WriteTimeout), options.WriteTimeout, zeroAllowed: false);
        OptionChecks.Timeout(Record, nameof(options.KeepAliveInterval), options.KeepAliveInterval, zeroAllowed: true);
        OptionChecks.Timeout(Record, nameof(options.KeepAliveTimeout), options.KeepAliveTimeout, zeroAllowed: false);
        OptionChecks.Timeout(Record, nameof(options.CloseTimeout), options.CloseTimeout, zeroAllowed: true);
    }
}
