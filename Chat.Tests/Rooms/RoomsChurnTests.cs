using System.Collections.Concurrent;
using System.Text.Json;
using Fleck.Chat.Modes;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Rooms;

[CancelAfter(120_000)]
public sealed class RoomsChurnTests
{
    private static readonly string[] Rooms = ["r0", "r1", "r2", "r3"];

    [Test]
    public async Task Members_churning_through_rooms_see_exactly_the_messages_of_the_rooms_they_are_in()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        await using var chat = await ChatFixture.StartAsync(new RoomsMode(), new ChatServerOptions { MessagesPerSecond = 0, HistorySize = 5 });
        var senders = new List<ChatClient>();
        for (var i = 0; i < 3; i++)
        {
            var sender = await chat.JoinAsync($"sender{i}", ct);
            foreach (var room in Rooms)
            {
                await sender.JoinedAsync(room, ct);
            }
            senders.Add(sender);
        }
        var failures = new ConcurrentQueue<string>();
        var checkedMessages = 0;
        using var churnDone = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sending = senders.Select((sender, i) => Task.Run(async () =>
        {
            // Each sender waits for its own echo before the next message: the load keeps pace with the server.
            for (var n = 0; n < 5_000 && !churnDone.IsCancellationRequested; n++)
            {
                await sender.SayAsync(Rooms[(n + i) % Rooms.Length], $"s{i}-{n}", ct);
                await sender.ReceiveUntilMessageAsync($"s{i}-{n}", ct);
            }
        }, ct)).ToList();
        var churning = Enumerable.Range(0, 12).Select(i => Task.Run(async () =>
        {
            var client = await chat.JoinAsync($"churner{i}", ct);
            var checker = new MembershipChecker($"churner{i}", failures);
            var random = new Random(i);
            for (var step = 0; step < 24; step++)
            {
                var room = Rooms[random.Next(Rooms.Length)];
                if (checker.IsIn(room))
                {
                    await client.LeaveRoomAsync(room, ct);
                    await checker.ReadUntilAsync(client, "left", room, ct);
                }
                else
                {
                    await client.JoinRoomAsync(room, ct);
                    await checker.ReadUntilAsync(client, "joined", room, ct);
                }
            }
            Interlocked.Add(ref checkedMessages, checker.MessagesChecked);
        }, ct)).ToList();

        await Task.WhenAll(churning).WaitAsync(ct);
        await churnDone.CancelAsync();
        await Task.WhenAll(sending).WaitAsync(ct);

        Assert.That(failures, Is.Empty);
        TestContext.Out.WriteLine($"{checkedMessages} messages checked");
        Assert.That(checkedMessages, Is.GreaterThan(0), "the churners must have been in rooms while messages flowed");
    }

    /// <summary>
    /// Follows one client's membership from its own joined/left events and checks every event against
    /// it: a message only for a room it is in, and within one stay in a room the live offsets follow
    /// on from joined's offset with no gap and no repeat.
    /// </summary>
    private sealed class MembershipChecker(string who, ConcurrentQueue<string> failures)
    {
        private readonly Dictionary<string, long> _nextOffset = [];

        public int MessagesChecked { get; private set; }

        public bool IsIn(string room) => _nextOffset.ContainsKey(room);

        public async Task ReadUntilAsync(ChatClient client, string type, string room, CancellationToken ct)
        {
            while (true)
            {
                var e = await client.ReceiveEventAsync(ct);
                Check(e);
                if (e.Type() == type && e.Str("room") == room)
                {
                    return;
                }
            }
        }

        private void Check(JsonElement e)
        {
            var room = e.Str("room");
            switch (e.Type())
            {
                case "joined":
                    _nextOffset[room!] = e.GetProperty("offset").GetInt64() + 1;
                    break;
                case "left":
                    _nextOffset.Remove(room!);
                    break;
                case "history":
                    if (!_nextOffset.TryGetValue(room!, out var next) || e.GetProperty("offset").GetInt64() >= next)
                    {
                        failures.Enqueue($"{who}: history {e} outside its stay in {room}");
                    }
                    break;
                case "message":
                    MessagesChecked++;
                    if (!_nextOffset.TryGetValue(room!, out var expected))
                    {
                        failures.Enqueue($"{who}: message for {room}, which it is not in: {e}");
                    }
                    else if (e.GetProperty("offset").GetInt64() != expected)
                    {
                        failures.Enqueue($"{who}: in {room} expected offset {expected}, got {e}");
                        _nextOffset[room!] = e.GetProperty("offset").GetInt64() + 1;
                    }
                    else
                    {
                        _nextOffset[room!] = expected + 1;
                    }
                    break;
                case "error":
                    failures.Enqueue($"{who}: unexpected error {e}");
                    break;
            }
        }
    }
}
