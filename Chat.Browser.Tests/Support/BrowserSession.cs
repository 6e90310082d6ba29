using Fleck.Chat.Tests.Support;
using Microsoft.Playwright;

namespace Fleck.Chat.Browser.Tests.Support;

/// <summary>One headless Debian chromium; each person in a test gets a separate context (own storage, own sockets).</summary>
internal sealed class BrowserSession : IAsyncDisposable
{
    // Flags from the verified recipe: no sandbox (runs as root in a container), and no background
    // networking, which would otherwise keep trying hosts this machine cannot reach.
    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private BrowserSession(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    public static async Task<BrowserSession> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs });
            return new BrowserSession(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A new person with a desktop window, or a 375 px wide phone.</summary>
    public async Task<IPage> NewPersonAsync(bool phone = false)
    {
        var context = await _browser.NewContextAsync(new()
        {
            ViewportSize = phone ? new() { Width = 375, Height = 720 } : new() { Width = 1000, Height = 680 },
            DeviceScaleFactor = 1,
        });
        context.SetDefaultTimeout(TestTimeouts.StepMilliseconds);
        return await context.NewPageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
