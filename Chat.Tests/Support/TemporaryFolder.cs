namespace Fleck.Chat.Tests.Support;

/// <summary>A folder of a test's own under the system's temp folder, deleted with everything in it when disposed.</summary>
internal sealed class TemporaryFolder(string prefix) : IDisposable
{
    /// <summary>The folder's full path.</summary>
    public string FullPath { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>The path of <paramref name="name"/> in the folder.</summary>
    public string File(string name) => Path.Combine(FullPath, name);

    public void Dispose()
    {
        // SQLite may hold its files a moment after the last connection closed on some systems; a leftover temp folder is harmless.
        try
        {
            Directory.Delete(FullPath, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
