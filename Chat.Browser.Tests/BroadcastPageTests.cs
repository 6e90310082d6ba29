using Fleck.Chat.Browser.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Fleck.Chat.Browser.Tests;

/// <summary>The broadcast page: no nicknames, every message to everyone, the sender's own set apart.</summary>
public sealed class BroadcastPageTests : BrowserTest
{
    [Test]
    public async Task Two_people_see_each_others_messages_and_their_own_set_apart()
    {
        await using var chat = await RunningChat.StartAsync("broadcast");
        var anna = await OpenAsync(await Browser.NewPersonAsync(), chat);
        var ben = await OpenAsync(await Browser.NewPersonAsync(phone: true), chat);
        await Expect(anna.Locator("#status")).ToHaveClassAsync("connected");
        await Expect(ben.Locator("#status")).ToHaveClassAsync("connected");

        await SayAsync(anna, "hello from anna");
        await Expect(Lines(ben, "message", "hello from anna")).ToHaveCountAsync(1);
        await SayAsync(ben, "hi anna");

        await Expect(Lines(anna, "message", "hi anna")).ToHaveCountAsync(1);
        await Expect(Lines(anna, "own", "hello from anna")).ToHaveCountAsync(1);
        await Expect(Lines(anna, "own", "hi anna")).ToHaveCountAsync(0);
        await Expect(Lines(ben, "own", "hi anna")).ToHaveCountAsync(1);
        await Expect(anna.Locator("#login-form")).ToHaveCountAsync(0);
        await Screenshots.SaveAsync(anna, "broadcast");
        await Screenshots.SaveAsync(ben, "broadcast-phone");
    }
}
