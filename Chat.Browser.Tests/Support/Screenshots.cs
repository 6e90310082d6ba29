using Microsoft.Playwright;

namespace Fleck.Chat.Browser.Tests.Support;

/// <summary>
/// Screenshots of the pages as test artifacts. With UPDATE_SCREENSHOTS=1 they are also copied to
/// docs/screenshots/ for the README; by default the working tree is left alone, since every run
/// differs (clock times) and would otherwise show changed images.
/// </summary>
internal static class Screenshots
{
    public static async Task SaveAsync(IPage page, string name)
    {
        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, name + ".png");
        await page.ScreenshotAsync(new() { Path = file });
        TestContext.AddTestAttachment(file, name);

        if (Environment.GetEnvironmentVariable("UPDATE_SCREENSHOTS") == "1" && RepositoryRoot() is { } root)
        {
            var docs = Path.Combine(root, "docs", "screenshots");
            Directory.CreateDirectory(docs);
            File.Copy(file, Path.Combine(docs, name + ".png"), overwrite: true);
        }
    }

    private static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fleck.Chat.sln")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}
