using System.Text;
using Fleck.Chat.Browser.Tests.Support;
using Fleck.Chat.Host.Cli;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Fleck.Chat.Browser.Tests;

/// <summary>The pages with identity on: the token comes in the address's fragment and leaves it at once.</summary>
public sealed class SignInPageTests : BrowserTest
{
    private const string Secret = "browser-test-secret-long-enough-for-hs256";

    private static string Token(string name, TimeSpan lifetime, string secret = Secret) =>
        TokenCommand.Create(Encoding.UTF8.GetBytes(secret), name, lifetime, null, null);

    private async Task<IPage> OpenWithTokenAsync(RunningChat chat, string token, bool phone = false)
    {
        var page = await Browser.NewPersonAsync(phone);
        await page.GotoAsync(chat.ChatUrl + "#access_token=" + token);
        return page;
    }

    [Test]
    public async Task A_token_in_the_fragment_signs_in_under_its_name_and_leaves_the_address_bar()
    {
        await using var chat = await RunningChat.StartAsync("nick-broadcast", Secret);
        var tab1 = await OpenWithTokenAsync(chat, Token("alice", TimeSpan.FromMinutes(10)));
        var tab2 = await OpenWithTokenAsync(chat, Token("alice", TimeSpan.FromMinutes(10)), phone: true);

        await Expect(tab1.Locator("#status")).ToHaveClassAsync("connected");
        await Expect(tab2.Locator("#status")).ToHaveClassAsync("connected");
        await Expect(tab2.Locator("#users li.me")).ToHaveTextAsync("alice");
        await Expect(tab2.Locator("#users li")).ToHaveCountAsync(1);
        await Expect(tab1.Locator("#login-form")).ToBeHiddenAsync();
        await SayAsync(tab1, "hello from the first tab");
        await Expect(Lines(tab2, "own", "hello from the first tab")).ToHaveCountAsync(1);

        Assert.That(tab1.Url, Does.Not.Contain("access_token"));
        Assert.That(await tab1.EvaluateAsync<string>("location.href"), Is.EqualTo(chat.ChatUrl));
        await Screenshots.SaveAsync(tab2, "signed-in-phone");
    }

    [Test]
    public async Task A_refused_token_is_said_once_and_the_page_does_not_retry()
    {
        await using var chat = await RunningChat.StartAsync("private", Secret);
        var page = await OpenWithTokenAsync(chat, Token("mallory", TimeSpan.FromMinutes(10), secret: "some-other-secret-that-is-long-enough!!"));

        await Expect(page.Locator("#messages li.error")).ToHaveTextAsync("Your sign-in was refused or has expired.");
        await Expect(page.Locator("#status")).ToHaveClassAsync("disconnected");
        await Expect(page.Locator("#login-form")).ToBeHiddenAsync();
    }

    [Test]
    public async Task A_page_without_a_token_says_that_sign_in_is_required()
    {
        await using var chat = await RunningChat.StartAsync("private", Secret);
        var page = await Browser.NewPersonAsync(false);
        await page.GotoAsync(chat.ChatUrl);

        await Expect(page.Locator("#messages li.error")).ToContainTextAsync("Sign-in required");
        await Expect(page.Locator("#login-form")).ToBeHiddenAsync();
    }

    [Test]
    public async Task When_the_token_expires_the_page_says_the_session_ended()
    {
        await using var chat = await RunningChat.StartAsync("nick-broadcast", Secret);
        // No check that it connected first: on a loaded machine the session may already be over by
        // then. The message below comes only with the 4401 close, which only an open connection gets.
        var page = await OpenWithTokenAsync(chat, Token("alice", TimeSpan.FromSeconds(8)));

        await Expect(page.Locator("#messages li.error")).ToHaveTextAsync("Your session expired, sign in again.");
        await Expect(page.Locator("#status")).ToHaveClassAsync("disconnected");
    }
}
