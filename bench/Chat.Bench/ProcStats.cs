namespace Fleck.Chat.Bench;

/// <summary>CPU time and resident memory of a process, read from /proc (Linux).</summary>
internal static class ProcStats
{
    /// <summary>Clock ticks per second of /proc/PID/stat; 100 on every Linux this runs on.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>User + system CPU time of <paramref name="pid"/> in microseconds.</summary>
    public static double CpuMicroseconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) may hold spaces; fields are counted after its closing parenthesis.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var utime = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture);
        var stime = long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        return (utime + stime) / TicksPerSecond * 1e6;
    }

    /// <summary>Resident set size of <paramref name="pid"/> in KiB.</summary>
    public static long RssKiB(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return 0;
    }
}
