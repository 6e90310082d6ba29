using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Fuzz;

/// <summary>
/// Inputs afl found that made <see cref="Nickname.TryNormalize"/> throw: Unicode normalization
/// throws ArgumentException on a lone surrogate and on the noncharacter U+FFFE, which a client can
/// send as its first message or percent-encoded in the path.
/// </summary>
[CancelAfter(30_000)]
public sealed class NicknameFuzzFindingsTests
{
    // Attribute arguments are stored as UTF-8, which turns a lone surrogate into U+FFFD: these strings are built at run time.
    private static readonly TestCaseData[] Unnormalizable =
    [
        new TestCaseData("a" + (char)0xD800).SetName("A nickname with a lone high surrogate is refused, not thrown on"),
        new TestCaseData(((char)0xDA30).ToString()).SetName("A nickname that is a lone surrogate is refused, not thrown on"),
        new TestCaseData("bob\uFFFE").SetName("A nickname holding the noncharacter U+FFFE is refused, not thrown on"),
    ];

    [TestCaseSource(nameof(Unnormalizable))]
    public void Nickname_is_refused_as_invisible(string requested)
    {
        var accepted = Nickname.TryNormalize(requested, out var nickname, out var error);

        Assert.That(accepted, Is.False);
        Assert.That(nickname, Is.Empty);
        Assert.That(error, Does.Contain("invisible"));
    }

    [Test]
    public async Task A_first_message_holding_U_FFFE_is_refused_as_an_invalid_nickname_not_failed_as_an_internal_error()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode());
        var client = await chat.ConnectAsync("/websocket", ct);

        await client.SendTextAsync("\uFFFE", ct);

        var error = await client.ReceiveEventAsync("error", ct);
        await client.Closed.Task.WaitAsync(ct);
        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.InvalidNickname));
        Assert.That((int?)client.CloseStatus, Is.EqualTo(ChatErrorCode.CloseInvalidNickname));
    }

    [Test]
    public async Task A_path_nickname_of_percent_encoded_U_FFFE_is_refused_as_an_invalid_nickname_not_failed_as_an_internal_error()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode());

        var client = await chat.ConnectAsync("/websocket/%EF%BF%BE", ct);

        var error = await client.ReceiveEventAsync("error", ct);
        await client.Closed.Task.WaitAsync(ct);
        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.InvalidNickname));
        Assert.That((int?)client.CloseStatus, Is.EqualTo(ChatErrorCode.CloseInvalidNickname));
    }
}
