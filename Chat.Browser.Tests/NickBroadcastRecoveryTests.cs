using System.Text;
using System.Text.Json;
using Fleck.Chat.Browser.Tests.Support;
using Fleck.Chat.Host.Cli;
using Fleck.Chat.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Fleck.Chat.Browser.Tests;

/// <summary>
/// The nick-broadcast page after a reconnect: it resumes from the last offset it showed, so the
/// person sees every message once, in order, or a clear line when the chat could not replay them.
/// The page's timers are held while the server is away, so the others talk before it comes back.
/// </summary>
public sealed class NickBroadcastRecoveryTests : BrowserTest
{
    private const string MissingLine = "Some messages may be missing";

    [Test]
    public async Task After_a_restart_with_a_store_the_page_shows_what_it_missed_once_and_in_order()
    {
        var store = NewStoreFile();
        try
        {
            await using var chat = await RunningChat.StartAsync("nick-broadcast", s => s with { Store = store });
            var (anna, sockets) = await OpenWatchedAsync();
            await JoinAsync(anna, chat, "Anna");
            await SayAsync(anna, "one");
            await Expect(Lines(anna, "own", "one")).ToHaveCountAsync(1);
            await SayAsync(anna, "two");
            await Expect(Lines(anna, "own", "two")).ToHaveCountAsync(1);
            // The page shows "two" before Playwright reports its echo: the offset to resume from is that echo's.
            var first = await sockets.SessionThatReceivedAsync("message", TestTimeouts.Token(), s => s.ReceivedEvents("message").Any(e => e.GetProperty("msg").GetString() == "two"));
            Assert.That(first, Is.SameAs(sockets.Sessions[0]));
            var epoch = first.ReceivedEvents("users")[0].GetProperty("epoch").GetString();
            var lastOffset = first.ReceivedEvents("message")[^1].GetProperty("offset").GetInt64();

            await RestartWhileHeldAsync(anna, chat);
            var ct = TestTimeouts.Token();
            await using var ben = await TypedClient.ConnectAsync(chat.WebSocketPort, "/websocket/Ben", ct);
            await SayThroughAsync(ben, ct, "three", "four", "five");
            await ReleaseTimersAsync(anna);

            await Expect(Lines(anna, "history", "five")).ToHaveCountAsync(1);
            await SayThroughAsync(ben, ct, "six");
            await Expect(anna.Locator("#messages li.message .text")).ToHaveTextAsync(["one", "two", "three", "four", "five", "six"]);
            await Expect(Lines(anna, "missing", MissingLine)).ToHaveCountAsync(0);

            // The page asked to resume from what it had shown, and got exactly what it missed.
            var resumed = await sockets.SessionThatReceivedAsync("recovered", ct);
            Assert.That(resumed, Is.Not.SameAs(first));
            Assert.That(resumed.Query["since"], Is.EqualTo(lastOffset.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(resumed.Query["epoch"], Is.EqualTo(epoch));
            var recovered = resumed.ReceivedEvents("recovered");
            Assert.That(recovered, Has.Count.EqualTo(1));
            Assert.That(recovered[0].GetProperty("recovered").GetBoolean(), Is.True);
            Assert.That(recovered[0].GetProperty("count").GetInt32(), Is.EqualTo(3));
        }
        finally
        {
            DeleteStore(store);
        }
    }

    [Test]
    public async Task When_the_chat_lost_its_history_the_page_says_some_messages_may_be_missing()
    {
        await using var chat = await RunningChat.StartAsync("nick-broadcast");
        var (anna, _) = await OpenWatchedAsync();
        await JoinAsync(anna, chat, "Anna");
        await SayAsync(anna, "before the restart");
        await Expect(Lines(anna, "own", "before the restart")).ToHaveCountAsync(1);

        // Kept in memory only, the history goes with the server: it comes back with a new epoch.
        await RestartWhileHeldAsync(anna, chat);
        var ct = TestTimeouts.Token();
        await using var ben = await TypedClient.ConnectAsync(chat.WebSocketPort, "/websocket/Ben", ct);
        await SayThroughAsync(ben, ct, "after the restart");
        await ReleaseTimersAsync(anna);

        await Expect(Lines(anna, "system.missing", MissingLine)).ToBeVisibleAsync();
        await SayThroughAsync(ben, ct, "marker");
        await Expect(anna.Locator("#messages li.message .text")).ToHaveTextAsync(["before the restart", "after the restart", "marker"]);
        await Expect(Lines(anna, "missing", MissingLine)).ToHaveCountAsync(1);
        await Screenshots.SaveAsync(anna, "nick-broadcast-missing");
    }

    [Test]
    public async Task A_page_signed_in_with_a_token_resumes_with_the_token_and_its_place_in_one_query()
    {
        const string secret = "browser-test-secret-long-enough-for-hs256";
        static string Token(string name) => TokenCommand.Create(Encoding.UTF8.GetBytes(secret), name, TimeSpan.FromMinutes(10), null, null);
        var store = NewStoreFile();
        try
        {
            await using var chat = await RunningChat.StartAsync("nick-broadcast", s => s with { JwtSecret = secret, Store = store });
            var (anna, sockets) = await OpenWatchedAsync();
            var token = Token("anna");
            await anna.GotoAsync(chat.ChatUrl + "#access_token=" + token);
            await Expect(anna.Locator("#users li.me")).ToHaveTextAsync("anna");
            await SayAsync(anna, "one");
            await Expect(Lines(anna, "own", "one")).ToHaveCountAsync(1);

            await RestartWhileHeldAsync(anna, chat);
            var ct = TestTimeouts.Token();
            await using var ben = await TypedClient.ConnectAsync(chat.WebSocketPort, "/websocket?access_token=" + Token("ben"), ct);
            await SayThroughAsync(ben, ct, "two");
            await ReleaseTimersAsync(anna);

            await Expect(Lines(anna, "history", "two")).ToHaveCountAsync(1);
            await SayThroughAsync(ben, ct, "three");
            await Expect(anna.Locator("#messages li.message .text")).ToHaveTextAsync(["one", "two", "three"]);
            await Expect(Lines(anna, "missing", MissingLine)).ToHaveCountAsync(0);
            Assert.That(anna.Url, Does.Not.Contain("access_token"));
            var session = await sockets.SessionThatReceivedAsync("recovered", ct);
            var resumed = session.Query;
            Assert.That(resumed["access_token"], Is.EqualTo(token));
            Assert.That(resumed.Keys, Is.SupersetOf(new[] { "since", "epoch" }));
            Assert.That(session.ReceivedEvents("recovered").Single().GetProperty("count").GetInt32(), Is.EqualTo(1));
        }
        finally
        {
            DeleteStore(store);
        }
    }

    private static string NewStoreFile() => Path.Combine(Path.GetTempPath(), $"fleck-chat-browser-{Guid.NewGuid():N}.db");

    /// <summary>The store and the files SQLite keeps beside it.</summary>
    private static void DeleteStore(string store)
    {
        foreach (var file in new[] { store, store + "-wal", store + "-shm", store + "-journal" })
        {
            File.Delete(file);
        }
    }

    /// <summary>A person whose page keeps time on a clock the test can hold, with its sockets logged.</summary>
    private async Task<(IPage Page, SocketLog Sockets)> OpenWatchedAsync()
    {
        var page = await Browser.NewPersonAsync();
        var sockets = new SocketLog(page);
        await page.Clock.InstallAsync();
        return (page, sockets);
    }

    /// <summary>Sends each text as a chat message and waits until the server has echoed the last one.</summary>
    private static async Task SayThroughAsync(TypedClient client, CancellationToken ct, params string[] texts)
    {
        foreach (var text in texts)
        {
            await client.SendJsonAsync(new { msg = text }, ct);
        }
        await client.ReceiveEventsUntilAsync(e => IsMessage(e, texts[^1]), ct);
    }

    private static bool IsMessage(JsonElement e, string text) =>
        e.GetProperty("type").GetString() == "message" && e.GetProperty("msg").GetString() == text;
}
