using Fleck.Chat.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Fleck.Chat.Browser.Tests.Support;

/// <summary>
/// Base of the page tests: one browser for the test class, and the few things people do on a
/// chat page (open it, sign in, write), expressed with the page's documented ids.
/// No <c>[CancelAfter]</c>: Playwright takes no CancellationToken, so cancelling one would stop
/// nothing. Each step is bounded instead: every page action and every expectation by Playwright's
/// default timeout, set to <see cref="TestTimeouts.StepMilliseconds"/>; starting the chat by a token.
/// </summary>
public abstract class BrowserTest
{
    private BrowserSession? _browser;

    private protected BrowserSession Browser => _browser ?? throw new InvalidOperationException("the browser is not running");

    [OneTimeSetUp]
    public async Task LaunchBrowserAsync()
    {
        SetDefaultExpectTimeout(TestTimeouts.StepMilliseconds);
        _browser = await BrowserSession.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task CloseBrowserAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
    }

    private protected static async Task<IPage> OpenAsync(IPage page, RunningChat chat)
    {
        await page.GotoAsync(chat.ChatUrl);
        return page;
    }

    /// <summary>Opens the chat page, signs in under <paramref name="nickname"/> and waits until the server has confirmed it.</summary>
    private protected async Task<IPage> JoinAsync(RunningChat chat, string nickname, bool phone = false) =>
        await JoinAsync(await Browser.NewPersonAsync(phone), chat, nickname);

    /// <summary>As above, in a page the test has prepared (a clock installed, its sockets logged).</summary>
    private protected static async Task<IPage> JoinAsync(IPage page, RunningChat chat, string nickname)
    {
        await OpenAsync(page, chat);
        await page.FillAsync("#nickname", nickname);
        await page.PressAsync("#nickname", "Enter");
        await Expect(page.Locator("#status")).ToHaveClassAsync("connected");
        await Expect(page.Locator("#users li.me")).ToHaveTextAsync(nickname);
        return page;
    }

    /// <summary>
    /// Stops the page's timers, its reconnect backoff among them, until <see cref="ReleaseTimersAsync"/>:
    /// a dropped page then stays away for as long as the test needs. The page must have been opened
    /// after <c>page.Clock.InstallAsync()</c>.
    /// </summary>
    private protected static async Task HoldTimersAsync(IPage page)
    {
        // A second ahead: the page's time keeps running while this call travels, and the clock
        // cannot be paused in its past. No timer is pending when the tests hold them.
        var now = await page.EvaluateAsync<long>("() => Date.now()");
        await page.Clock.PauseAtAsync(DateTime.UnixEpoch.AddMilliseconds(now + 1000));
    }

    /// <summary>Lets the page's time run again; a reconnect that was due happens now.</summary>
    private protected static Task ReleaseTimersAsync(IPage page) => page.Clock.ResumeAsync();

    /// <summary>
    /// Restarts <paramref name="chat"/> while <paramref name="page"/>'s timers are held: the page has
    /// seen the server go, and reconnects only once the test calls <see cref="ReleaseTimersAsync"/>.
    /// </summary>
    private protected static async Task RestartWhileHeldAsync(IPage page, RunningChat chat)
    {
        await HoldTimersAsync(page);
        await chat.StopAsync();
        await Expect(page.Locator("#status")).ToHaveClassAsync("reconnecting");
        await chat.StartAgainAsync();
    }

    /// <summary>Types a message and presses Enter.</summary>
    private protected static async Task SayAsync(IPage page, string text)
    {
        await page.FillAsync("#msg", text);
        await page.PressAsync("#msg", "Enter");
    }

    /// <summary>The lines of <c>#messages</c> with the given class that contain <paramref name="text"/>.</summary>
    private protected static ILocator Lines(IPage page, string cssClass, string text) =>
        page.Locator("#messages li." + cssClass).Filter(new() { HasText = text });
}
