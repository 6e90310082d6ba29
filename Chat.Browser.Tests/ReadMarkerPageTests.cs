using Fleck.Chat.Browser.Tests.Support;
using Fleck.Chat.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Fleck.Chat.Browser.Tests;

/// <summary>
/// Unread counts come from the user's read marker on the server, so the tabs and devices of one
/// user agree: reading a room in one tab clears its count in the others.
/// </summary>
public sealed class ReadMarkerPageTests : BrowserTest
{
    [Test]
    public async Task Unread_counts_agree_across_two_tabs_and_reading_in_one_clears_the_other()
    {
        await using var chat = await RunningChat.StartAsync("rooms", PageTokens.Secret);
        var tab1 = await OpenTabAsync(chat);
        var tab2 = await OpenTabAsync(chat);
        var ct = TestTimeouts.Token();
        await using var ben = await TypedClient.ConnectSignedInAsync(chat.WebSocketPort, PageTokens.For("ben"), ct);
        await ben.JoinedAsync("lobby", ct);

        await ben.SayAsync("lobby", "unread one", ct);
        await ben.SayAsync("lobby", "unread two", ct);
        await Expect(RoomsPage.Room(tab1, "lobby").Locator(".unread")).ToHaveTextAsync("2");
        await Expect(RoomsPage.Room(tab2, "lobby").Locator(".unread")).ToHaveTextAsync("2");

        await tab1.BringToFrontAsync();
        await tab1.ClickAsync("#my-rooms li[data-room=lobby]");

        await Expect(Lines(tab1, "message", "unread two")).ToHaveCountAsync(1);
        await Expect(RoomsPage.Room(tab2, "lobby").Locator(".unread")).ToHaveTextAsync("");
        await Expect(tab2.Locator("#room-title")).ToHaveTextAsync("#kitchen");
        // Only what came after the marker counts: both tabs agree on one new message.
        await tab1.ClickAsync("#my-rooms li[data-room=kitchen]");
        await ben.SayAsync("lobby", "unread three", ct);
        await Expect(RoomsPage.Room(tab1, "lobby").Locator(".unread")).ToHaveTextAsync("1");
        await Expect(RoomsPage.Room(tab2, "lobby").Locator(".unread")).ToHaveTextAsync("1");
    }

    /// <summary>alice's tab in the rooms page, in the lobby and then the kitchen, which it shows.</summary>
    private async Task<IPage> OpenTabAsync(RunningChat chat)
    {
        var tab = await Browser.NewPersonAsync();
        await tab.GotoAsync(chat.ChatUrl + "#access_token=" + PageTokens.For("alice"));
        await Expect(tab.Locator("#status")).ToHaveClassAsync("connected");
        await RoomsPage.JoinRoomAsync(tab, "lobby");
        await RoomsPage.JoinRoomAsync(tab, "kitchen");
        await Expect(tab.Locator("#room-title")).ToHaveTextAsync("#kitchen");
        return tab;
    }
}
