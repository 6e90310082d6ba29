using System.Collections.Concurrent;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Rooms;

/// <summary>
/// Senders in every room write while churners join and leave rooms at random; each churner checks
/// every event against its own membership (<see cref="MembershipChecker"/>). Bounded in count:
/// 12 churners x 24 steps, senders stop when the churners are done (at most 5,000 messages each).
/// </summary>
internal static class ChurnLoad
{
    public static readonly string[] Rooms = ["r0", "r1", "r2", "r3"];

    /// <param name="login">Logs a client in under a nickname; the index spreads clients over nodes.</param>
    public static async Task<(IReadOnlyCollection<string> Failures, int MessagesChecked)> RunAsync(
        Func<string, int, CancellationToken, Task<TypedClient>> login, CancellationToken ct)
    {
        var senders = new List<TypedClient>();
        for (var i = 0; i < 3; i++)
        {
            var sender = await login($"sender{i}", i, ct);
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
            var client = await login($"churner{i}", i, ct);
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
        return (failures, checkedMessages);
    }
}
