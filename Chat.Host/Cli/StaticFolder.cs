namespace Fleck.Chat.Host.Cli;

/// <summary>Finds the web pages: an explicit folder, or the static/ folder shipped beside the host or above wherever it runs from.</summary>
internal static class StaticFolder
{
    public static string? Resolve(string? requested)
    {
        if (requested is not null)
        {
            return Directory.Exists(requested) ? Path.GetFullPath(requested) : null;
        }
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            // Beside the binary when published; in the repository root when run with dotnet run.
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "static");
                if (File.Exists(Path.Combine(candidate, "index.html")))
                {
                    return candidate;
                }
            }
        }
        return null;
    }
}
