using Fleck.Chat.Modes;
using Fleck.Chat.Scaling;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Embedding;

/// <summary>
/// A ban that lands between a connection's ban check and its sign-in: the connection must not slip
/// through and stay. The ban list here bans the user while answering the check that lets it in.
/// </summary>
[CancelAfter(30_000)]
[Parallelizable(ParallelScope.All)]
public sealed class BanDuringSignInTests
{
    /// <summary>Answers "not banned" to the first check of a user, and bans that user on the way out.</summary>
    private sealed class BanWhileChecking(string user) : IBanList
    {
        private readonly InMemoryBanList _inner = new();
        private int _checks;

        public Func<Task>? BanNow { get; set; }

        public ValueTask BanAsync(string user, DateTimeOffset until, CancellationToken cancellationToken = default) => _inner.BanAsync(user, until, cancellationToken);

        public ValueTask UnbanAsync(string user, CancellationToken cancellationToken = default) => _inner.UnbanAsync(user, cancellationToken);

        public ValueTask<IReadOnlyList<BanEntry>> ListAsync(CancellationToken cancellationToken = default) => _inner.ListAsync(cancellationToken);

        public async ValueTask<bool> IsBannedAsync(string name, CancellationToken cancellationToken = default)
        {
            var banned = await _inner.IsBannedAsync(name, cancellationToken);
            if (string.Equals(name, user, StringComparison.OrdinalIgnoreCase) && Interlocked.Increment(ref _checks) == 1)
            {
                await BanNow!();
            }
            return banned;
        }
    }

    private static async Task<(ChatFixture Chat, TypedClient Bob)> StartAsync(IChatMode mode, BanWhileChecking bans, CancellationToken ct)
    {
        var chat = await ChatFixture.StartAsync(mode, new ChatServerOptions { Bans = bans });
        bans.BanNow = () => chat.Server.BanUserAsync("mallory", TimeSpan.FromMinutes(10), ct);
        return (chat, await chat.JoinAsync("bob", ct));
    }

    [TestCase("nick-broadcast")]
    [TestCase("private")]
    [TestCase("rooms")]
    public async Task A_user_banned_while_its_upgrade_is_let_in_is_closed_once_signed_in(string modeName)
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        IChatMode mode = modeName switch { "private" => new PrivateMode(), "rooms" => new RoomsMode(), _ => new NickBroadcastMode() };
        var bans = new BanWhileChecking("mallory");
        var (chat, _) = await StartAsync(mode, bans, ct);
        await using var _ = chat;

        var mallory = await chat.ConnectAsync("/websocket/mallory", ct);
        await mallory.Closed.Task.WaitAsync(ct);
        await chat.WaitForMembersAsync(1, ct);

        Assert.That((int?)mallory.CloseStatus, Is.EqualTo(4004));
        Assert.That(await chat.Server.GetOnlineUsersAsync(ct), Is.EqualTo(new[] { "bob" }));
    }

    [Test]
    public async Task A_user_banned_while_its_first_message_login_is_let_in_is_closed_once_signed_in()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        var bans = new BanWhileChecking("mallory");
        var (chat, _) = await StartAsync(new NickBroadcastMode(), bans, ct);
        await using var _ = chat;

        var mallory = await chat.ConnectAsync("/websocket", ct);
        await mallory.SendTextAsync("mallory", ct);
        await mallory.Closed.Task.WaitAsync(ct);
        await chat.WaitForMembersAsync(1, ct);

        Assert.That((int?)mallory.CloseStatus, Is.EqualTo(4004));
        Assert.That(await chat.Server.GetOnlineUsersAsync(ct), Is.EqualTo(new[] { "bob" }));
    }
}
