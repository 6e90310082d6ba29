using System.Globalization;

namespace Fleck.Chat.Host.Limits;

/// <summary>The process's soft limit on open file descriptors (<c>ulimit -n</c>), as Linux reports it in <c>/proc/self/limits</c>.</summary>
internal static class OpenFileLimit
{
    private const string LimitsFile = "/proc/self/limits";
    private const string Row = "Max open files";

    /// <summary>The soft limit; null when there is none, or the system does not say (any system but Linux).</summary>
    public static long? Soft() =>
        OperatingSystem.IsLinux() && File.Exists(LimitsFile) ? Parse(File.ReadAllLines(LimitsFile)) : null;

    /// <summary>Reads the soft limit from the lines of <c>/proc/self/limits</c>: <c>Max open files  1024  524288  files</c>.</summary>
    internal static long? Parse(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            if (!line.StartsWith(Row, StringComparison.Ordinal))
            {
                continue;
            }
            var soft = line[Row.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            return long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) ? limit : null;
        }
        return null;
    }
}
