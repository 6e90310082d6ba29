using Fleck.Chat.Browser.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Fleck.Chat.Browser.Tests;

/// <summary>The private page: the recipient is picked from the online list and only they get the message.</summary>
public sealed class PrivatePageTests : BrowserTest
{
    [Test]
    public async Task A_private_message_reaches_only_the_recipient_picked_from_the_online_list()
    {
        await using var chat = await RunningChat.StartAsync("private");
        var anna = await JoinAsync(chat, "Anna");
        var ben = await JoinAsync(chat, "Ben");
        var carl = await JoinAsync(chat, "Carl", phone: true);
        await Expect(anna.Locator("#users li")).ToHaveCountAsync(3);

        await anna.Locator("#users li", new() { HasText = "Ben" }).ClickAsync();
        await Expect(anna.Locator("#to")).ToHaveValueAsync("Ben");
        await SayAsync(anna, "just for ben");
        await Expect(Lines(ben, "message", "just for ben").Locator(".sender")).ToHaveTextAsync("Anna → you");

        // Carl's own message to Anna arrives after Anna's to Ben was sent: had Carl been sent
        // Anna's message, it would be on his page before this one reaches Anna.
        await carl.Locator("#to").SelectOptionAsync("Anna");
        await SayAsync(carl, "marker for anna");
        await Expect(Lines(anna, "message", "marker for anna")).ToHaveCountAsync(1);
        await Expect(carl.Locator("#messages li").Filter(new() { HasText = "just for ben" })).ToHaveCountAsync(0);
        await Expect(Lines(anna, "own", "just for ben").Locator(".sender")).ToHaveTextAsync("you → Ben");
        await Screenshots.SaveAsync(anna, "private");
        await Screenshots.SaveAsync(ben, "private-recipient");
        await Screenshots.SaveAsync(carl, "private-phone");
    }

    [Test]
    public async Task When_the_recipient_leaves_the_page_asks_for_another_instead_of_sending()
    {
        await using var chat = await RunningChat.StartAsync("private");
        var anna = await JoinAsync(chat, "Anna");
        var ben = await JoinAsync(chat, "Ben", phone: true);
        await Expect(anna.Locator("#to")).ToHaveValueAsync("Ben");

        await ben.Context.CloseAsync();
        await Expect(Lines(anna, "system", "Ben left")).ToHaveCountAsync(1);
        await SayAsync(anna, "are you there?");

        await Expect(anna.Locator("#to")).ToHaveValueAsync("");
        await Expect(anna.Locator("#messages li.error")).ToContainTextAsync("Pick who the message is for");
        await Expect(Lines(anna, "own", "are you there?")).ToHaveCountAsync(0);
    }
}
