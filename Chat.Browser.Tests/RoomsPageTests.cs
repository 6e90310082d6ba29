using Fleck.Chat.Browser.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Fleck.Chat.Browser.Tests;

/// <summary>The rooms page: joining rooms, one conversation per room, unread counts, leaving, the room list, a phone.</summary>
public sealed class RoomsPageTests : BrowserTest
{
    [Test]
    public async Task Two_people_talk_in_two_rooms_with_unread_counts_and_leave_one()
    {
        await using var chat = await RunningChat.StartAsync("rooms");
        var anna = await SignInAsync(chat, "Anna");
        var ben = await SignInAsync(chat, "Ben");
        await JoinRoomAsync(anna, "Lobby");
        await JoinRoomAsync(anna, "kitchen");
        await JoinRoomAsync(ben, "lobby");
        await JoinRoomAsync(ben, "kitchen");

        // Anna has the kitchen on screen; Ben writes in the lobby.
        await Expect(anna.Locator("#room-title")).ToHaveTextAsync("#kitchen");
        await Expect(anna.Locator("#users li")).ToHaveTextAsync(["Anna", "Ben"]);
        await ben.ClickAsync("#my-rooms li[data-room=lobby]");
        await SayAsync(ben, "<b>hi</b> lobby");
        await SayAsync(ben, "second");

        await Expect(Room(anna, "lobby").Locator(".unread")).ToHaveTextAsync("2");
        await Expect(Lines(anna, "message", "lobby")).ToHaveCountAsync(0);
        await anna.ClickAsync("#my-rooms li[data-room=lobby]");
        await Expect(Lines(anna, "message", "<b>hi</b> lobby").Locator(".sender")).ToHaveTextAsync("Ben");
        await Expect(anna.Locator("#messages b")).ToHaveCountAsync(0);
        await Expect(Room(anna, "lobby").Locator(".unread")).ToHaveTextAsync("");
        await Expect(Lines(ben, "own", "second")).ToHaveCountAsync(1);

        await anna.ClickAsync("#refresh");
        await Expect(anna.Locator("#room-list li")).ToHaveTextAsync(["#kitchen2", "#lobby2"]);
        await Screenshots.SaveAsync(anna, "rooms");

        await anna.ClickAsync("#leave");
        await Expect(Room(anna, "lobby")).ToHaveCountAsync(0);
        await Expect(anna.Locator("#room-title")).ToHaveTextAsync("#kitchen");
        await Expect(Lines(ben, "system", "Anna left #lobby")).ToHaveCountAsync(1);
        await Expect(ben.Locator("#users li")).ToHaveTextAsync(["Ben"]);
    }

    [Test]
    public async Task A_refused_room_name_is_explained_and_a_phone_gets_the_rooms_as_a_drawer()
    {
        await using var chat = await RunningChat.StartAsync("rooms");
        var anna = await SignInAsync(chat, "Anna", phone: true);

        await anna.ClickAsync("#rooms-toggle");
        await anna.FillAsync("#room-name", "_nope");
        await anna.PressAsync("#room-name", "Enter");
        await Expect(anna.Locator("#join-error")).ToContainTextAsync("room name");
        await JoinRoomAsync(anna, "lobby");
        await Expect(anna.Locator("#rooms-panel")).Not.ToBeVisibleAsync();
        await SayAsync(anna, "from a phone");

        await Expect(Lines(anna, "own", "from a phone")).ToHaveCountAsync(1);
        var width = await anna.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.That(width, Is.LessThanOrEqualTo(375), "nothing sticks out sideways on a 375 px screen");
        await Screenshots.SaveAsync(anna, "rooms-phone");
    }

    [Test]
    public async Task After_a_server_restart_the_page_rejoins_its_rooms()
    {
        await using var chat = await RunningChat.StartAsync("rooms");
        var anna = await SignInAsync(chat, "Anna");
        await JoinRoomAsync(anna, "lobby");
        await JoinRoomAsync(anna, "kitchen");

        await chat.StopAsync();
        await Expect(anna.Locator("#status")).ToHaveClassAsync("reconnecting");
        await chat.StartAgainAsync();
        await Expect(anna.Locator("#status")).ToHaveClassAsync("connected");
        var ben = await SignInAsync(chat, "Ben");
        await JoinRoomAsync(ben, "lobby");
        await SayAsync(ben, "are you back?");

        await anna.ClickAsync("#my-rooms li[data-room=lobby]");
        await Expect(Lines(anna, "message", "are you back?")).ToHaveCountAsync(1);
        await Expect(anna.Locator("#my-rooms li")).ToHaveCountAsync(2);
    }

    private async Task<IPage> SignInAsync(RunningChat chat, string nickname, bool phone = false) =>
        await RoomsPage.SignInAsync(await Browser.NewPersonAsync(phone), chat, nickname);

    private static Task JoinRoomAsync(IPage page, string room) => RoomsPage.JoinRoomAsync(page, room);

    private static ILocator Room(IPage page, string room) => RoomsPage.Room(page, room);
}
