using Fleck.Chat.Browser.Tests.Support;
using Fleck.Chat.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Fleck.Chat.Browser.Tests;

/// <summary>
/// The tutorial's own four pages, unchanged but for the WebSocket address, chat through our host
/// in the matching mode, and nothing on them reads "undefined".
/// </summary>
[CancelAfter(90_000)]
[Parallelizable(ParallelScope.All)]
public sealed class SeedPagesTests
{
    private static async Task<IPage> OpenSeedPageAsync(BrowserSession browser, string file, HostProcess host)
    {
        var html = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "SeedPages", file));
        var path = Path.Combine(Path.GetTempPath(), $"seed-{Guid.NewGuid():N}-{file}");
        await File.WriteAllTextAsync(path, html.Replace("{{WS}}", $"127.0.0.1:{host.WebSocketPort}", StringComparison.Ordinal));
        var page = await browser.NewPersonAsync();
        await page.GotoAsync("file://" + path);
        return page;
    }

    private static async Task SeedLoginAsync(IPage page, string name)
    {
        await page.FillAsync("#client_name", name);
        await page.ClickAsync("#login");
    }

    private static async Task SeedSendAsync(IPage page, string text, string? to = null)
    {
        if (to is not null)
        {
            await page.FillAsync("#to_client", to);
        }
        await page.FillAsync("#msg", text);
        await page.ClickAsync("#send");
    }

    private static async Task AssertNoUndefinedAsync(params IPage[] pages)
    {
        foreach (var page in pages)
        {
            Assert.That(await page.InnerTextAsync("body"), Does.Not.Contain("undefined"));
        }
    }

    private static async Task<HostProcess> StartAsync(string mode, CancellationToken ct)
    {
        var host = HostProcess.Start("--mode", mode, "--port", "0", "--http-port", "0");
        await host.WaitForBannerAsync(ct);
        return host;
    }

    [Test]
    public async Task Seed_group_chat_without_nicknames_works_against_broadcast_mode()
    {
        var ct = new CancellationTokenSource(TimeSpan.FromSeconds(80)).Token;
        await using var host = await StartAsync("broadcast", ct);
        await using var browser = await BrowserSession.LaunchAsync();
        var a = await OpenSeedPageAsync(browser, "MUC_Nonick.html", host);
        var b = await OpenSeedPageAsync(browser, "MUC_Nonick.html", host);
        await a.WaitForFunctionAsync("() => ws.readyState === 1");
        await b.WaitForFunctionAsync("() => ws.readyState === 1");

        await SeedSendAsync(a, "大家好");

        await Expect(b.Locator("#chat_content p")).ToContainTextAsync("大家好");
        await Expect(a.Locator("#chat_content p")).ToContainTextAsync("大家好");
        await AssertNoUndefinedAsync(a, b);
    }

    [TestCase("MUC_nick_route.html")]
    [TestCase("MUC_nick.html")]
    public async Task Seed_group_chat_with_nicknames_works_against_nick_broadcast_mode(string file)
    {
        var ct = new CancellationTokenSource(TimeSpan.FromSeconds(80)).Token;
        await using var host = await StartAsync("nick-broadcast", ct);
        await using var browser = await BrowserSession.LaunchAsync();
        var a = await OpenSeedPageAsync(browser, file, host);
        var b = await OpenSeedPageAsync(browser, file, host);
        await a.WaitForFunctionAsync("() => typeof ws !== 'undefined'");
        if (file == "MUC_nick.html")
        {
            await a.WaitForFunctionAsync("() => ws.readyState === 1");
            await b.WaitForFunctionAsync("() => ws.readyState === 1");
        }
        await SeedLoginAsync(a, "小明");
        await Expect(a.Locator("#chat_content p").First).ToContainTextAsync("server");
        await SeedLoginAsync(b, "小红");
        await Expect(a.Locator("#chat_content p").Last).ToContainTextAsync("小红 joined");

        await SeedSendAsync(a, "你好, 小红");

        await Expect(b.Locator("#chat_content p").Last).ToContainTextAsync("小明(");
        await Expect(b.Locator("#chat_content p").Last).ToContainTextAsync("你好, 小红");
        await Expect(a.Locator("#chat_content p").Last).ToContainTextAsync("你好, 小红");
        await AssertNoUndefinedAsync(a, b);
    }

    [Test]
    public async Task Seed_private_chat_works_against_private_mode()
    {
        var ct = new CancellationTokenSource(TimeSpan.FromSeconds(80)).Token;
        await using var host = await StartAsync("private", ct);
        await using var browser = await BrowserSession.LaunchAsync();
        var a = await OpenSeedPageAsync(browser, "Private_chat.html", host);
        var b = await OpenSeedPageAsync(browser, "Private_chat.html", host);
        var c = await OpenSeedPageAsync(browser, "Private_chat.html", host);
        await SeedLoginAsync(a, "alice");
        await SeedLoginAsync(b, "bob");
        await SeedLoginAsync(c, "carol");
        await Expect(a.Locator("#chat_content p").Last).ToContainTextAsync("carol joined");

        await SeedSendAsync(a, "only for bob", to: "bob");
        await Expect(b.Locator("#chat_content p").Last).ToContainTextAsync("alice(");
        await Expect(b.Locator("#chat_content p").Last).ToContainTextAsync("only for bob");
        await SeedSendAsync(a, "hello?", to: "nobody");
        await Expect(a.Locator("#chat_content p").Last).ToContainTextAsync("not online");

        await Expect(c.Locator("#chat_content p").Filter(new() { HasText = "only for bob" })).ToHaveCountAsync(0);
        await AssertNoUndefinedAsync(a, b, c);
    }
}
