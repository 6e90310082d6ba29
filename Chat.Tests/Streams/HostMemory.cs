using System.Globalization;

namespace Fleck.Chat.Tests.Streams;

/// <summary>What a process costs in memory, as the kernel counts it.</summary>
internal static class HostMemory
{
    /// <summary>Resident set size of process <paramref name="pid"/> in MB (VmRSS of /proc/pid/status).</summary>
    public static double ResidentMegabytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kilobytes = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return kilobytes / 1024.0;
    }
}
