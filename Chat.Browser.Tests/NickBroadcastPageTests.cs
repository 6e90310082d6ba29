using Fleck.Chat.Browser.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Fleck.Chat.Browser.Tests;

/// <summary>The nick-broadcast page: senders named, who is online, joins and leaves, history for late joiners.</summary>
public sealed class NickBroadcastPageTests : BrowserTest
{
    [Test]
    public async Task Three_people_chat_with_names_presence_and_earlier_messages()
    {
        await using var chat = await RunningChat.StartAsync("nick-broadcast");
        var anna = await JoinAsync(chat, "Anna");
        await SayAsync(anna, "before ben came");
        await Expect(Lines(anna, "own", "before ben came")).ToHaveCountAsync(1);

        var ben = await JoinAsync(chat, "Ben");
        var carl = await JoinAsync(chat, "Carl", phone: true);
        await SayAsync(ben, "hello everyone");

        await Expect(Lines(ben, "history", "before ben came")).ToHaveCountAsync(1);
        await Expect(ben.Locator("#messages li.divider")).ToHaveTextAsync("Earlier messages");
        await Expect(Lines(anna, "system", "Ben joined")).ToHaveCountAsync(1);
        await Expect(anna.Locator("#users li")).ToHaveTextAsync(["Anna", "Ben", "Carl"]);
        await Expect(Lines(anna, "message", "hello everyone").Locator(".sender")).ToHaveTextAsync("Ben");
        await Expect(Lines(ben, "own", "hello everyone")).ToHaveCountAsync(1);
        await Expect(Lines(carl, "message", "hello everyone")).ToHaveCountAsync(1);
        await Screenshots.SaveAsync(anna, "nick-broadcast");
        await Screenshots.SaveAsync(carl, "nick-broadcast-phone");

        await ben.Context.CloseAsync();
        await Expect(Lines(anna, "system", "Ben left")).ToHaveCountAsync(1);
        await Expect(anna.Locator("#users li")).ToHaveTextAsync(["Anna", "Carl"]);
    }

    [Test]
    public async Task The_online_list_opens_as_a_drawer_on_a_phone()
    {
        await using var chat = await RunningChat.StartAsync("nick-broadcast");
        var anna = await JoinAsync(chat, "Anna");
        var ben = await JoinAsync(chat, "Ben", phone: true);

        await Expect(ben.Locator("#users")).Not.ToBeVisibleAsync();
        await Expect(ben.Locator("#users-toggle")).ToHaveTextAsync("Online 2");
        await ben.ClickAsync("#users-toggle");

        await Expect(ben.Locator("#users li")).ToHaveTextAsync(["Anna", "Ben"]);
        await Expect(ben.Locator("#users")).ToBeVisibleAsync();
        var width = await ben.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.That(width, Is.LessThanOrEqualTo(375), "nothing sticks out sideways on a 375 px screen");
        await Screenshots.SaveAsync(ben, "nick-broadcast-phone-online");
        await Expect(anna.Locator("#users li")).ToHaveCountAsync(2);
    }
}
