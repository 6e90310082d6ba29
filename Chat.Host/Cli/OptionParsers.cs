using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Host.Cli;

/// <summary>
/// Custom parsers for the options. Range checks live here rather than in validators: a validator
/// that reads a value the parser could not convert throws instead of reporting the bad token.
/// Every error names the option and the value, in one line.
/// </summary>
internal static class OptionParsers
{
    public static string Mode(ArgumentResult r)
    {
        var value = r.Tokens.Count > 0 ? r.Tokens[0].Value : "broadcast";
        if (ChatModes.TryCreate(value, out var created))
        {
            return created!.Name;
        }
        r.AddError($"--mode '{value}' is not a chat mode: use {string.Join(", ", ChatModes.Names)}");
        return "";
    }

    public static IPAddress Address(ArgumentResult r)
    {
        var value = r.Tokens[0].Value;
        if (value.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }
        if (IPAddress.TryParse(value.Trim('[', ']'), out var address))
        {
            return address;
        }
        r.AddError($"--host '{value}' is not an IP address (e.g. 127.0.0.1, 0.0.0.0, ::)");
        return IPAddress.Loopback;
    }

    public static LogLevel Level(ArgumentResult r)
    {
        var value = r.Tokens[0].Value;
        // Enum.TryParse also takes numbers ("7"); only the names are meant.
        if (!int.TryParse(value, out _) && Enum.TryParse<LogLevel>(value, ignoreCase: true, out var level) && Enum.IsDefined(level))
        {
            return level;
        }
        r.AddError($"--log-level '{value}' is not one of {string.Join(", ", Enum.GetNames<LogLevel>())}");
        return LogLevel.Information;
    }

    /// <summary>Comma-separated origins such as <c>https://chat.example.com</c>; each must be a scheme and a host, nothing more.</summary>
    public static IReadOnlyCollection<string>? Origins(ArgumentResult r)
    {
        var value = r.Tokens[0].Value;
        var origins = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var origin in origins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.PathAndQuery != "/" || origin.EndsWith('/'))
            {
                r.AddError($"--allowed-origins '{origin}' is not an origin like https://chat.example.com (scheme, host and optional port; no path)");
            }
        }
        return origins.Length == 0 ? null : origins;
    }

    /// <summary>Comma-separated IP addresses, such as <c>10.0.0.5,::1</c>.</summary>
    public static IReadOnlyCollection<IPAddress>? Addresses(ArgumentResult r)
    {
        var name = ((OptionResult)r.Parent!).Option.Name;
        var value = r.Tokens[0].Value;
        var addresses = new List<IPAddress>();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPAddress.TryParse(part.Trim('[', ']'), out var address))
            {
                addresses.Add(address);
            }
            else
            {
                r.AddError($"{name} '{part}' is not an IP address (e.g. 10.0.0.5 or ::1; a comma-separated list for several)");
            }
        }
        return addresses.Count == 0 ? null : addresses;
    }

    public static int Int(ArgumentResult r, int min, int max) =>
        Number(r, min, max, (string s, out int v) => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out v));

    public static long Long(ArgumentResult r, long min, long max) =>
        Number(r, min, max, (string s, out long v) => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out v));

    /// <summary>A duration such as <c>90s</c>, <c>10m</c>, <c>2h</c> or <c>1d</c>: a whole number and a unit, from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static TimeSpan Duration(ArgumentResult r, TimeSpan min, TimeSpan max)
    {
        var name = ((OptionResult)r.Parent!).Option.Name;
        var text = r.Tokens[0].Value;
        if (TryDuration(text, out var value) && value >= min && value <= max)
        {
            return value;
        }
        r.AddError($"{name} '{text}' must be a whole number with a unit s, m, h or d (e.g. 90s, 10m, 2h, 1d), from {min} to {max}");
        return min;
    }

    private static bool TryDuration(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text.Length < 2 || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount > 100_000_000)
        {
            return false;
        }
        value = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            'd' => TimeSpan.FromDays(amount),
            _ => TimeSpan.MinValue,
        };
        return value != TimeSpan.MinValue;
    }

    public static double Double(ArgumentResult r, double min, double max) =>
        Number(r, min, max, (string s, out double v) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v) && double.IsFinite(v));

    private delegate bool TryParse<T>(string s, out T value);

    private static T Number<T>(ArgumentResult r, T min, T max, TryParse<T> tryParse) where T : struct, IComparable<T>
    {
        var name = ((OptionResult)r.Parent!).Option.Name;
        var text = r.Tokens[0].Value;
        if (!tryParse(text, out var value) || value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            r.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} '{text}' must be a number from {min} to {max}"));
        }
        return value;
    }
}
