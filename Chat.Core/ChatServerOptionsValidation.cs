using Fleck.Chat.Transport;

namespace Fleck.Chat;

/// <summary>
/// The ranges of <see cref="ChatServerOptions"/>, checked once when a <see cref="ChatServer"/> is
/// created: a negative history size, say, would otherwise make every message throw.
/// </summary>
internal static class ChatServerOptionsValidation
{
    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> (named after the option) for the first value
    /// out of range, the transport's options included.
    /// </summary>
    public static void Validate(this ChatServerOptions options)
    {
        const string Record = nameof(ChatServerOptions);
        ArgumentNullException.ThrowIfNull(options.Transport, nameof(options.Transport));
        OptionChecks.AtLeast(Record, nameof(options.HistorySize), options.HistorySize, 0);
        OptionChecks.AtLeast(Record, nameof(options.Retain), options.Retain, options.HistorySize);
        OptionChecks.AtLeast(Record, nameof(options.RetainBytes), options.RetainBytes, 0);
        OptionChecks.AtLeast(Record, nameof(options.HistoryMemory), options.HistoryMemory, 0);
        OptionChecks.Timeout(Record, nameof(options.StreamTtl), options.StreamTtl, zeroAllowed: false);
        OptionChecks.AtLeast(Record, nameof(options.MaxStreams), options.MaxStreams, 1);
        OptionChecks.Timeout(Record, nameof(options.DedupWindow), options.DedupWindow, zeroAllowed: false);
        OptionChecks.AtLeast(Record, nameof(options.MaxRoomsPerMember), options.MaxRoomsPerMember, 1);
        OptionChecks.Rate(Record, nameof(options.MessagesPerSecond), options.MessagesPerSecond);
        OptionChecks.AtLeast(Record, nameof(options.MessageBurst), options.MessageBurst, 1);
        options.Transport.Validate();
    }

    /// <summary>The stream limits the options set, for the backplane.</summary>
    public static Scaling.StreamLimits StreamLimits(this ChatServerOptions options) => new()
    {
        Retain = options.Retain,
        RetainBytes = options.RetainBytes,
        HistoryMemory = options.HistoryMemory,
        Ttl = options.StreamTtl,
        MaxStreams = options.MaxStreams,
        DedupWindow = options.DedupWindow,
    };
}
