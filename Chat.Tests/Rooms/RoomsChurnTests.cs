using Fleck.Chat.Modes;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Rooms;

[CancelAfter(120_000)]
public sealed class RoomsChurnTests
{
    [Test]
    public async Task Members_churning_through_rooms_see_exactly_the_messages_of_the_rooms_they_are_in()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        await using var chat = await ChatFixture.StartAsync(new RoomsMode(), new ChatServerOptions { MessagesPerSecond = 0, HistorySize = 5 });

        var (failures, checkedMessages) = await ChurnLoad.RunAsync((nickname, _, token) => chat.JoinAsync(nickname, token), ct);

        Assert.That(failures, Is.Empty);
        TestContext.Out.WriteLine($"{checkedMessages} messages checked");
        Assert.That(checkedMessages, Is.GreaterThan(0), "the churners must have been in rooms while messages flowed");
    }
}
