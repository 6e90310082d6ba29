using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Fleck.Chat.Browser.Tests.Support;

/// <summary>What people do on the rooms page, through its documented ids.</summary>
internal static class RoomsPage
{
    /// <summary>Opens the rooms page in <paramref name="page"/>, signs in and waits until connected.</summary>
    public static async Task<IPage> SignInAsync(IPage page, RunningChat chat, string nickname)
    {
        await page.GotoAsync(chat.ChatUrl);
        await page.FillAsync("#nickname", nickname);
        await page.PressAsync("#nickname", "Enter");
        await Expect(page.Locator("#status")).ToHaveClassAsync("connected");
        return page;
    }

    /// <summary>Joins (or creates) a room from the rooms panel and waits until it is listed as joined.</summary>
    public static async Task JoinRoomAsync(IPage page, string room)
    {
        if (!await page.Locator("#room-name").IsVisibleAsync())
        {
            await page.ClickAsync("#rooms-toggle");
        }
        await page.FillAsync("#room-name", room);
        await page.PressAsync("#room-name", "Enter");
        await Expect(Room(page, room.ToLowerInvariant())).ToHaveCountAsync(1);
    }

    /// <summary>The entry of a joined room in "My rooms".</summary>
    public static ILocator Room(IPage page, string room) => page.Locator($"#my-rooms li[data-room={room}]");
}
