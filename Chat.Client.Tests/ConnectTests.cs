using Fleck.Chat.Client.Tests.Support;

namespace Fleck.Chat.Client.Tests;

/// <summary>Signing in, being refused, being disconnected for good, closing.</summary>
[CancelAfter(60_000)]
public sealed class ConnectTests
{
    [Test]
    public async Task Connect_with_a_nickname_signs_in_and_yields_the_users_list()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("nick-broadcast", ct);
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", host.WebSocketPort), ct);

        var users = await anna.WaitForAsync<UsersEvent>(ct);

        Assert.Multiple(() =>
        {
            Assert.That(users.You, Is.EqualTo("anna"));
            Assert.That(users.Users, Is.EqualTo(new[] { "anna" }));
            Assert.That(anna.Client.State, Is.EqualTo(ChatClientState.Connected));
        });
    }

    [Test]
    public async Task Others_coming_and_going_are_join_and_leave_events()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("nick-broadcast", ct);
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", host.WebSocketPort), ct);

        var ben = await EventLog.ConnectAsync(ClientHost.As("ben", host.WebSocketPort), ct);
        await anna.WaitForAsync<JoinEvent>(e => e.User == "ben", ct);
        await ben.DisposeAsync();

        Assert.That((await anna.WaitForAsync<LeaveEvent>(ct)).User, Is.EqualTo("ben"));
    }

    [Test]
    public async Task A_taken_nickname_fails_the_connect_with_its_code()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("nick-broadcast", ct);
        await using var first = await EventLog.ConnectAsync(ClientHost.As("anna", host.WebSocketPort), ct);
        await using var second = EventLog.Create(ClientHost.As("anna", host.WebSocketPort));

        var error = await Assert.ThrowsAsync<ChatErrorException>(() => second.Client.ConnectAsync(ct));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo("nickname_taken"));
            Assert.That(second.Client.State, Is.EqualTo(ChatClientState.Disconnected));
        });
    }

    [Test]
    public async Task Disconnected_by_the_operator_the_client_closes_for_good()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("nick-broadcast", ct, "--api-key", "test-key");
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", host.WebSocketPort), ct);
        using var api = new ApiClient(host.HttpPort, "test-key");

        await api.PostJsonAsync("/api/disconnect", new { user = "anna" }, ct);
        var closed = await anna.WaitForAsync<StateChangedEvent>(e => e.State == ChatClientState.Closed, ct);

        Assert.Multiple(() =>
        {
            Assert.That(closed.Reason, Does.Contain("4004"));
            Assert.That(anna.Seen.OfType<StateChangedEvent>().Select(e => e.State), Does.Not.Contain(ChatClientState.Reconnecting));
        });
        await Assert.ThrowsAsync<InvalidOperationException>(() => anna.Client.SendAsync("too late", ct));
    }

    [Test]
    public async Task CloseAsync_ends_the_events_with_Closed()
    {
        var ct = TestTimeouts.Token();
        await using var host = await ClientHost.StartAsync("nick-broadcast", ct);
        await using var anna = await EventLog.ConnectAsync(ClientHost.As("anna", host.WebSocketPort), ct);

        await anna.Client.CloseAsync(ct);

        var closed = await anna.WaitForAsync<StateChangedEvent>(e => e.State == ChatClientState.Closed, ct);
        Assert.That(closed.Reason, Is.EqualTo("closed by the client"));
    }
}
