using Fleck.Chat.Browser.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Fleck.Chat.Browser.Tests;

/// <summary>
/// The tutorial's own four pages (SeedPages/, unchanged but for the WebSocket address, written
/// there as {{WS}}) chat through our server in the matching mode, and nothing on them reads
/// "undefined": every event we send carries the name and msg those pages print.
/// </summary>
public sealed class SeedPagesTests : BrowserTest
{
    private string _pages = "";

    [OneTimeSetUp]
    public void CreatePageFolder() => _pages = Directory.CreateTempSubdirectory("fleck-chat-seed-").FullName;

    [OneTimeTearDown]
    public void DeletePageFolder() => Directory.Delete(_pages, recursive: true);

    private async Task<IPage> OpenSeedPageAsync(string file, RunningChat chat)
    {
        var html = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "SeedPages", file));
        var path = Path.Combine(_pages, $"{chat.WebSocketPort}-{Guid.NewGuid():N}-{file}");
        await File.WriteAllTextAsync(path, html.Replace("{{WS}}", $"127.0.0.1:{chat.WebSocketPort}", StringComparison.Ordinal));
        var page = await Browser.NewPersonAsync();
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

    private static ILocator Lines(IPage page) => page.Locator("#chat_content p");

    [Test]
    public async Task Seed_group_chat_without_nicknames_works_against_broadcast_mode()
    {
        await using var chat = await RunningChat.StartAsync("broadcast");
        var a = await OpenSeedPageAsync("MUC_Nonick.html", chat);
        var b = await OpenSeedPageAsync("MUC_Nonick.html", chat);
        await a.WaitForFunctionAsync("() => ws.readyState === 1");
        await b.WaitForFunctionAsync("() => ws.readyState === 1");

        await SeedSendAsync(a, "大家好");

        await Expect(Lines(b)).ToContainTextAsync(["大家好"]);
        await Expect(Lines(a)).ToContainTextAsync(["大家好"]);
        await AssertNoUndefinedAsync(a, b);
    }

    [TestCase("MUC_nick_route.html")]
    [TestCase("MUC_nick.html")]
    public async Task Seed_group_chat_with_nicknames_works_against_nick_broadcast_mode(string file)
    {
        await using var chat = await RunningChat.StartAsync("nick-broadcast");
        var a = await OpenSeedPageAsync(file, chat);
        var b = await OpenSeedPageAsync(file, chat);
        if (file == "MUC_nick.html")
        {
            // This version connects on load and sends the nickname as its first message.
            await a.WaitForFunctionAsync("() => ws.readyState === 1");
            await b.WaitForFunctionAsync("() => ws.readyState === 1");
        }
        await SeedLoginAsync(a, "小明");
        await Expect(Lines(a).First).ToContainTextAsync("server(");
        await SeedLoginAsync(b, "小红");
        await Expect(Lines(a).Last).ToContainTextAsync("小红 joined");

        await SeedSendAsync(a, "你好, 小红");

        await Expect(Lines(b).Last).ToContainTextAsync("小明(");
        await Expect(Lines(b).Last).ToContainTextAsync("你好, 小红");
        await Expect(Lines(a).Last).ToContainTextAsync("你好, 小红");
        await AssertNoUndefinedAsync(a, b);
    }

    [Test]
    public async Task Seed_private_chat_works_against_private_mode()
    {
        await using var chat = await RunningChat.StartAsync("private");
        var a = await OpenSeedPageAsync("Private_chat.html", chat);
        var b = await OpenSeedPageAsync("Private_chat.html", chat);
        var c = await OpenSeedPageAsync("Private_chat.html", chat);
        await SeedLoginAsync(a, "alice");
        await Expect(Lines(a).First).ToContainTextAsync("server(");
        await SeedLoginAsync(b, "bob");
        await Expect(Lines(a).Last).ToContainTextAsync("bob joined");
        await SeedLoginAsync(c, "carol");
        await Expect(Lines(a).Last).ToContainTextAsync("carol joined");

        await SeedSendAsync(a, "only for bob", to: "bob");
        await Expect(Lines(b).Last).ToContainTextAsync("alice(");
        await Expect(Lines(b).Last).ToContainTextAsync("only for bob");
        await SeedSendAsync(a, "hello?", to: "nobody");
        await Expect(Lines(a).Last).ToContainTextAsync("not online");

        await SeedSendAsync(c, "marker for alice", to: "alice");
        await Expect(Lines(a).Last).ToContainTextAsync("marker for alice");
        await Expect(Lines(c).Filter(new() { HasText = "only for bob" })).ToHaveCountAsync(0);
        await AssertNoUndefinedAsync(a, b, c);
    }
}
