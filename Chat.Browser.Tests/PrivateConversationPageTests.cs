using Fleck.Chat.Browser.Tests.Support;
using Fleck.Chat.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Fleck.Chat.Browser.Tests;

/// <summary>
/// The private page with identity: one conversation per person, rebuilt from the user's inbox
/// after a reload and on another device.
/// </summary>
public sealed class PrivateConversationPageTests : BrowserTest
{
    [Test]
    public async Task Each_person_gets_a_conversation_kept_across_a_reload_and_seen_on_a_second_device()
    {
        await using var chat = await RunningChat.StartAsync("private", PageTokens.Secret);
        var alice = await OpenAsync(await Browser.NewPersonAsync(), chat, "alice");
        var ct = TestTimeouts.Token();
        await using var bob = await TypedClient.ConnectSignedInAsync(chat.WebSocketPort, PageTokens.For("bob"), ct);
        await using var carol = await TypedClient.ConnectSignedInAsync(chat.WebSocketPort, PageTokens.For("carol"), ct);
        await bob.SendJsonAsync(new { msg = "from bob", to_client = "alice" }, ct);
        await Expect(Conversation(alice, "bob")).ToHaveCountAsync(1);
        await carol.SendJsonAsync(new { msg = "from carol", to_client = "alice" }, ct);
        await Expect(Conversation(alice, "carol").Locator(".unread")).ToHaveTextAsync("1");

        await Conversation(alice, "bob").ClickAsync();
        await SayAsync(alice, "to bob");
        await Expect(Shown(alice)).ToHaveTextAsync(["from bob", "to bob"]);
        await bob.ReceiveEventAsync("private", e => e.GetProperty("msg").GetString() == "to bob", ct);
        await Conversation(alice, "carol").ClickAsync();
        await Expect(Shown(alice)).ToHaveTextAsync(["from carol"]);

        await alice.GotoAsync("about:blank");
        alice = await OpenAsync(alice, chat, "alice");
        await Expect(alice.Locator("#conversations li")).ToHaveCountAsync(2);
        await Conversation(alice, "bob").ClickAsync();
        await Expect(Shown(alice)).ToHaveTextAsync(["from bob", "to bob"]);

        var phone = await OpenAsync(await Browser.NewPersonAsync(), chat, "alice");
        await bob.SendJsonAsync(new { msg = "later from bob", to_client = "alice" }, ct);
        await Conversation(phone, "bob").ClickAsync();
        await Expect(Shown(phone)).ToHaveTextAsync(["from bob", "to bob", "later from bob"]);
        await Conversation(phone, "carol").ClickAsync();
        await Expect(Shown(phone)).ToHaveTextAsync(["from carol"]);
        await Expect(Shown(alice)).ToHaveTextAsync(["from bob", "to bob", "later from bob"]);
    }

    private static async Task<IPage> OpenAsync(IPage page, RunningChat chat, string user)
    {
        await page.GotoAsync(chat.ChatUrl + "#access_token=" + PageTokens.For(user));
        await Expect(page.Locator("#status")).ToHaveClassAsync("connected");
        return page;
    }

    private static ILocator Conversation(IPage page, string peer) => page.Locator($"#conversations li[data-peer={peer}]");

    /// <summary>The texts of the conversation on screen.</summary>
    private static ILocator Shown(IPage page) => page.Locator("#messages li.message:visible .text");
}
