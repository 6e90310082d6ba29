using Fleck.Chat.Browser.Tests.Support;
using Fleck.Chat.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Fleck.Chat.Browser.Tests;

/// <summary>People in separate browsers chat through the real host and its pages.</summary>
[CancelAfter(90_000)]
[Parallelizable(ParallelScope.All)]
public sealed class ChatPagesTests
{
    private static async Task<HostProcess> StartHostAsync(string mode, CancellationToken ct, params string[] extra)
    {
        var host = HostProcess.Start(["--mode", mode, "--host", "127.0.0.1", "--port", "0", "--http-port", "0", .. extra]);
        await host.WaitForBannerAsync(ct);
        return host;
    }

    private static async Task LoginAsync(IPage page, HostProcess host, string nickname)
    {
        await page.GotoAsync($"http://127.0.0.1:{host.HttpPort}/chat");
        await page.FillAsync("#nickname", nickname);
        await page.PressAsync("#nickname", "Enter");
        await Expect(page.Locator("#status")).ToHaveClassAsync("connected");
    }

    private static async Task SayAsync(IPage page, string text)
    {
        await page.FillAsync("#msg", text);
        await page.PressAsync("#msg", "Enter");
    }

    [Test]
    public async Task Broadcast_page_delivers_to_everyone_and_marks_own_messages()
    {
        var ct = new CancellationTokenSource(TimeSpan.FromSeconds(80)).Token;
        await using var host = await StartHostAsync("broadcast", ct);
        await using var browser = await BrowserSession.LaunchAsync();
        var anna = await browser.NewPersonAsync();
        var ben = await browser.NewPersonAsync(phone: true);
        foreach (var page in new[] { anna, ben })
        {
            await page.GotoAsync($"http://127.0.0.1:{host.HttpPort}/chat");
            await Expect(page.Locator("#status")).ToHaveClassAsync("connected");
        }

        await SayAsync(anna, "hello from anna");
        await SayAsync(ben, "hi anna");

        await Expect(anna.Locator("#messages li.own")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("hello from anna"));
        await Expect(ben.Locator("#messages li.message").Filter(new() { HasText = "hello from anna" })).ToHaveCountAsync(1);
        await Expect(anna.Locator("#messages li.message").Filter(new() { HasText = "hi anna" })).ToHaveCountAsync(1);
        await BrowserSession.ScreenshotAsync(anna, "broadcast");
        await BrowserSession.ScreenshotAsync(ben, "broadcast-phone");
    }

    [Test]
    public async Task Nick_broadcast_page_shows_senders_presence_and_history()
    {
        var ct = new CancellationTokenSource(TimeSpan.FromSeconds(80)).Token;
        await using var host = await StartHostAsync("nick-broadcast", ct);
        await using var browser = await BrowserSession.LaunchAsync();
        var anna = await browser.NewPersonAsync();
        await LoginAsync(anna, host, "Anna");
        await SayAsync(anna, "before ben came");

        var ben = await browser.NewPersonAsync();
        await LoginAsync(ben, host, "Ben");
        var carl = await browser.NewPersonAsync(phone: true);
        await LoginAsync(carl, host, "Carl");
        await SayAsync(ben, "hello everyone");

        await Expect(ben.Locator("#messages li.history")).ToContainTextAsync("before ben came");
        await Expect(anna.Locator("#messages li.system").Filter(new() { HasText = "Ben joined" })).ToHaveCountAsync(1);
        await Expect(anna.Locator("#users li")).ToHaveCountAsync(3);
        await Expect(anna.Locator("#messages li.message").Last).ToContainTextAsync("Ben");
        await Expect(ben.Locator("#messages li.own").Last).ToContainTextAsync("hello everyone");
        await Expect(carl.Locator("#messages li.message").Last).ToContainTextAsync("hello everyone");
        await BrowserSession.ScreenshotAsync(anna, "nick-broadcast");
        await BrowserSession.ScreenshotAsync(carl, "nick-broadcast-phone");

        await ben.Context.CloseAsync();
        await Expect(anna.Locator("#messages li.system").Filter(new() { HasText = "Ben left" })).ToHaveCountAsync(1);
        await Expect(anna.Locator("#users li")).ToHaveCountAsync(2);
    }

    [Test]
    public async Task Private_message_reaches_only_the_recipient_picked_from_the_online_list()
    {
        var ct = new CancellationTokenSource(TimeSpan.FromSeconds(80)).Token;
        await using var host = await StartHostAsync("private", ct);
        await using var browser = await BrowserSession.LaunchAsync();
        var anna = await browser.NewPersonAsync();
        var ben = await browser.NewPersonAsync();
        var carl = await browser.NewPersonAsync();
        await LoginAsync(anna, host, "Anna");
        await LoginAsync(ben, host, "Ben");
        await LoginAsync(carl, host, "Carl");
        await Expect(anna.Locator("#users li")).ToHaveCountAsync(3);

        await anna.Locator("#users li", new() { HasText = "Ben" }).ClickAsync();
        await SayAsync(anna, "just for ben");
        await Expect(ben.Locator("#messages li.message")).ToContainTextAsync("just for ben");
        await carl.Locator("#users li", new() { HasText = "Anna" }).ClickAsync();
        await SayAsync(carl, "marker for anna");
        await Expect(anna.Locator("#messages li.message").Filter(new() { HasText = "marker for anna" })).ToHaveCountAsync(1);

        await Expect(carl.Locator("#messages li").Filter(new() { HasText = "just for ben" })).ToHaveCountAsync(0);
        await Expect(anna.Locator("#messages li.own")).ToContainTextAsync("just for ben");
        await BrowserSession.ScreenshotAsync(anna, "private");
        await BrowserSession.ScreenshotAsync(ben, "private-recipient");
    }

    [Test]
    public async Task Html_in_a_message_is_shown_as_text_and_never_run()
    {
        var ct = new CancellationTokenSource(TimeSpan.FromSeconds(80)).Token;
        await using var host = await StartHostAsync("nick-broadcast", ct);
        await using var browser = await BrowserSession.LaunchAsync();
        var anna = await browser.NewPersonAsync();
        var ben = await browser.NewPersonAsync();
        await LoginAsync(anna, host, "<b>Anna</b>");
        await LoginAsync(ben, host, "Ben");
        var dialogs = 0;
        ben.Dialog += (_, d) => { dialogs++; _ = d.DismissAsync(); };

        const string payload = "<script>alert(1)</script><img src=x onerror=alert(2)>";
        await SayAsync(anna, payload);

        await Expect(ben.Locator("#messages li.message").Last).ToContainTextAsync(payload);
        await Expect(ben.Locator("#messages li.message").Last).ToContainTextAsync("<b>Anna</b>");
        Assert.That(await ben.Locator("#messages img").CountAsync(), Is.Zero);
        Assert.That(await ben.Locator("#messages script").CountAsync(), Is.Zero);
        Assert.That(dialogs, Is.Zero);
    }

    [Test]
    public async Task Page_reconnects_by_itself_after_the_host_restarts()
    {
        var ct = new CancellationTokenSource(TimeSpan.FromSeconds(80)).Token;
        var first = await StartHostAsync("nick-broadcast", ct);
        var (http, ws) = (first.HttpPort, first.WebSocketPort);
        await using var browser = await BrowserSession.LaunchAsync();
        var anna = await browser.NewPersonAsync();
        await LoginAsync(anna, first, "Anna");

        first.Terminate();
        Assert.That(await first.WaitForExitAsync(ct), Is.Zero);
        await first.DisposeAsync();
        await Expect(anna.Locator("#status")).Not.ToHaveClassAsync("connected");
        await using var second = HostProcess.Start("--mode", "nick-broadcast", "--port", ws.ToString(System.Globalization.CultureInfo.InvariantCulture), "--http-port", http.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await second.WaitForBannerAsync(ct);

        await Expect(anna.Locator("#status")).ToHaveClassAsync("connected", new() { Timeout = 30_000 });
        await SayAsync(anna, "back again");
        await Expect(anna.Locator("#messages li.own").Last).ToContainTextAsync("back again");
    }
}
