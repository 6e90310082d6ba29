using Fleck.Chat.Protocol;
using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Streams;

/// <summary>A kept message costs the chat's memory about its size on the wire: its text is held once, as UTF-8.</summary>
[NonParallelizable]
public sealed class KeptMessageCostTests
{
    private const int Streams = 20;
    private const int PerStream = 10;

    [Test]
    public async Task A_kept_large_message_costs_at_most_a_fifth_more_than_its_size_on_the_wire()
    {
        var ct = TestTimeouts.Token();
        var text = new string('k', 60_000);
        await using var backplane = new InMemoryBackplane();
        var wire = RoomEvents.Message("room00", new RoomEntry("someone", text, ChatEvents.Now(), 1)).WireLength;

        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var s = 0; s < Streams; s++)
        {
            for (var i = 0; i < PerStream; i++)
            {
                await backplane.Streams.AppendAsync($"room{s:00}", "someone", text, ChatEvents.Now(), 1000, ct);
            }
        }
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(backplane);

        var perMessage = (double)(after - before) / (Streams * PerStream);
        TestContext.Out.WriteLine($"{perMessage:0} bytes kept per message of {wire} bytes on the wire ({perMessage / wire:0.00}x)");
        Assert.That(perMessage, Is.LessThanOrEqualTo(1.2 * wire));
    }
}
