using Fleck.Chat.Browser.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Fleck.Chat.Browser.Tests;

/// <summary>Whatever people type, and whatever they call themselves, is shown as text: no tag is ever built from it.</summary>
public sealed class MessageTextSafetyTests : BrowserTest
{
    // At most 32 characters, the longest nickname there is.
    private const string Nickname = "<img src=x onerror=hacked=3>";
    private const string Payload = "<script>window.hacked=1</script><img src=x onerror=\"window.hacked=2\"><b>bold?</b>";

    [TestCase("broadcast")]
    [TestCase("nick-broadcast")]
    [TestCase("private")]
    public async Task Html_in_a_message_or_a_nickname_is_shown_as_text_and_never_run(string mode)
    {
        await using var chat = await RunningChat.StartAsync(mode);
        var (sender, reader) = mode == "broadcast"
            ? (await OpenAsync(await Browser.NewPersonAsync(), chat), await OpenAsync(await Browser.NewPersonAsync(), chat))
            : (await JoinAsync(chat, Nickname), await JoinAsync(chat, "Ben"));
        await Expect(sender.Locator("#status")).ToHaveClassAsync("connected");
        await Expect(reader.Locator("#status")).ToHaveClassAsync("connected");
        var dialogs = 0;
        reader.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };

        await SayAsync(sender, Payload);

        var line = reader.Locator("#messages li.message").Last;
        await Expect(line.Locator(".text")).ToHaveTextAsync(Payload);
        if (mode != "broadcast")
        {
            await Expect(line.Locator(".sender")).ToContainTextAsync(Nickname);
            await Expect(reader.Locator("#users li").First).ToHaveTextAsync(Nickname);
        }
        Assert.That(await reader.Locator("#messages img, #messages script, #messages b, #users img").CountAsync(), Is.Zero);
        Assert.That(await reader.EvaluateAsync<bool>("() => window.hacked === undefined"), Is.True);
        Assert.That(dialogs, Is.Zero);
    }
}
