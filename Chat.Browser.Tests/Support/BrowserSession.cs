using Microsoft.Playwright;

namespace Fleck.Chat.Browser.Tests.Support;

/// <summary>One headless Debian chromium per test, with separate contexts standing for separate people.</summary>
internal sealed class BrowserSession : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private BrowserSession(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<BrowserSession> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            // Without the networking flags chromium keeps trying hosts this sandbox cannot reach.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        return new BrowserSession(playwright, browser);
    }

    /// <summary>A new person: own context (cookies, storage), phone-sized or desktop viewport.</summary>
    public async Task<IPage> NewPersonAsync(bool phone = false)
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = phone ? new() { Width = 375, Height = 740 } : new() { Width = 1000, Height = 700 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        return page;
    }

    /// <summary>Saves a screenshot as a test artifact.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, name + ".png");
        await page.ScreenshotAsync(new() { Path = file });
        TestContext.AddTestAttachment(file, name);
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
