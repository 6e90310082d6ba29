using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Modes;

/// <summary>Names that look like another member's, or like the server's, refused by a running chat with the documented codes.</summary>
[CancelAfter(30_000)]
public sealed class LookalikeNicknameTests
{
    [TestCase("/websocket/%D1%95erver", "mix scripts", TestName = "server with a Cyrillic dze is invalid")]
    [TestCase("/websocket/%EF%BC%B3%EF%BC%A5%EF%BC%B2%EF%BC%B6%EF%BC%A5%EF%BC%B2", "reserved", TestName = "Fullwidth SERVER is reserved")]
    [TestCase("/websocket/bob%E2%80%AEtxt.exe", "invisible", TestName = "A right-to-left override is invalid")]
    public async Task A_lookalike_of_server_or_a_hidden_character_gets_the_invalid_nickname_error_and_close(string path, string why)
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode());

        var client = await chat.ConnectAsync(path, ct);
        var error = await client.ReceiveEventAsync("error", ct);
        await client.Closed.Task.WaitAsync(ct);

        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.InvalidNickname));
        Assert.That(error.GetProperty("msg").GetString(), Does.Contain(why));
        Assert.That((int?)client.CloseStatus, Is.EqualTo(ChatErrorCode.CloseInvalidNickname));
    }

    [Test]
    public async Task Victim_with_a_Cyrillic_i_beside_victim_is_invalid_and_fullwidth_victim_is_taken()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new NickBroadcastMode());
        var victim = await chat.JoinAsync("victim", ct);

        var mixed = await chat.ConnectAsync("/websocket/" + Uri.EscapeDataString("vict\u0456m"), ct);
        var mixedError = await mixed.ReceiveEventAsync("error", ct);
        await mixed.Closed.Task.WaitAsync(ct);
        var fullwidth = await chat.ConnectAsync("/websocket/" + Uri.EscapeDataString("ｖｉｃｔｉｍ"), ct);
        var fullwidthError = await fullwidth.ReceiveEventAsync("error", ct);
        await fullwidth.Closed.Task.WaitAsync(ct);

        Assert.That(mixedError.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.InvalidNickname));
        Assert.That(mixedError.GetProperty("msg").GetString(), Does.Contain("(Latin and Cyrillic)"));
        Assert.That((int?)mixed.CloseStatus, Is.EqualTo(ChatErrorCode.CloseInvalidNickname));
        Assert.That(fullwidthError.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.NicknameTaken));
        Assert.That((int?)fullwidth.CloseStatus, Is.EqualTo(ChatErrorCode.CloseNicknameTaken));
        await victim.SendTextAsync("still mine", ct);
        var e = await victim.ReceiveEventAsync("message", ct);
        Assert.That(e.GetProperty("name").GetString(), Is.EqualTo("victim"));
    }

    [Test]
    public async Task A_private_message_to_the_fullwidth_spelling_reaches_the_member()
    {
        var ct = TestTimeouts.Token();
        await using var chat = await ChatFixture.StartAsync(new PrivateMode());
        var victim = await chat.JoinAsync("victim", ct);
        var sender = await chat.JoinAsync("sender", ct);

        await sender.SendJsonAsync(new { msg = "hello", to_client = "ＶＩＣＴＩＭ" }, ct);

        var e = await victim.ReceiveEventAsync("private", ct);
        Assert.That(e.GetProperty("msg").GetString(), Is.EqualTo("hello"));
    }

    [Test]
    public async Task Fullwidth_victim_is_taken_also_in_a_host_without_globalization_data()
    {
        // The deployed images run with invariant globalization, where the runtime normalizes nothing.
        var ct = TestTimeouts.Token();
        await using var host = await HostProcess.StartReadyAsync(new Dictionary<string, string> { ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1" }, ct,
            HostProcess.OnLoopback("nick-broadcast"));
        await using var victim = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/victim", ct);
        await victim.ReceiveEventAsync("users", ct);

        await using var fullwidth = await TypedClient.ConnectAsync(host.WebSocketPort, "/websocket/" + Uri.EscapeDataString("ｖｉｃｔｉｍ"), ct);
        var error = await fullwidth.ReceiveEventAsync("error", ct);
        await fullwidth.Closed.Task.WaitAsync(ct);

        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(ChatErrorCode.NicknameTaken));
        Assert.That((int?)fullwidth.CloseStatus, Is.EqualTo(ChatErrorCode.CloseNicknameTaken));
    }
}
