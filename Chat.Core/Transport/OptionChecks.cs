namespace Fleck.Chat.Transport;

/// <summary>
/// Range checks for option records: each failure is an <see cref="ArgumentOutOfRangeException"/>
/// whose parameter name is the option's, so a bad setting is reported where it is made rather than
/// by whatever first uses it.
/// </summary>
internal static class OptionChecks
{
    /// <summary>The longest timeout the timers and waits behind the options accept (about 24.8 days).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    public static void AtLeast(string record, string option, long value, long minimum)
    {
        if (value < minimum)
        {
            throw new ArgumentOutOfRangeException(option, value, $"{record}.{option} must be at least {minimum}; it is {value}.");
        }
    }

    public static void Between(string record, string option, long value, long minimum, long maximum)
    {
        if (value < minimum || value > maximum)
        {
            throw new ArgumentOutOfRangeException(option, value, $"{record}.{option} must be from {minimum} to {maximum}; it is {value}.");
        }
    }

    /// <summary>A rate: zero or more, and a real number (not NaN or infinity).</summary>
    public static void Rate(string record, string option, double value)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(option, value, $"{record}.{option} must be a finite number, 0 or more; it is {value}.");
        }
    }

    /// <summary>A timeout: more than zero (or zero too when <paramref name="zeroAllowed"/>, meaning off), and at most <see cref="MaxTimeout"/>.</summary>
    public static void Timeout(string record, string option, TimeSpan value, bool zeroAllowed)
    {
        if (value < TimeSpan.Zero || (value == TimeSpan.Zero && !zeroAllowed) || value > MaxTimeout)
        {
            var floor = zeroAllowed ? "zero or more" : "more than zero";
            throw new ArgumentOutOfRangeException(option, value, $"{record}.{option} must be {floor} and at most {MaxTimeout}; it is {value}.");
        }
    }
}
