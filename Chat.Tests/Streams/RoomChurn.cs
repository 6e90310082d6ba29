namespace Fleck.Chat.Tests.Streams;

/// <summary>
/// Clients that create rooms as fast as they can: each joins a room never used before, says one
/// thing there and leaves, then the next, every step waiting for its answer.
/// </summary>
internal static class RoomChurn
{
    /// <summary>Per-address limits off (the load comes from one address, on purpose); the rate limit is turned off by the caller.</summary>
    public static readonly string[] HostFlags =
        ["--max-connections-per-address", "0", "--max-handshakes-per-address", "0", "--handshake-rate-per-address", "0"];

    /// <summary>Creates <paramref name="rooms"/> rooms named <paramref name="prefix"/>0, 1, ... through <paramref name="clients"/> connections.</summary>
    public static async Task RunAsync(int port, string prefix, int rooms, int clients, CancellationToken ct)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            await using var client = await TypedClient.ConnectAsync(port, $"/websocket/{prefix}c{c}", ct);
            int i;
            while ((i = Interlocked.Increment(ref next)) < rooms)
            {
                var room = prefix + i;
                await client.JoinedAsync(room, ct);
                await client.SayAndGetOffsetAsync(room, "x", ct);
                await client.LeftAsync(room, ct);
            }
        }));
    }
}
