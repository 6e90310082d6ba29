using System.Text.Json;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Rooms;

/// <summary>
/// An identified user with two connections in one room, as the room's other member sees it: one
/// <c>join</c> when the first connection enters, none for the second, none when one of two leaves,
/// one <c>leave</c> when the last one goes (by closing), and the user listed once. The same story
/// is told on one node and across two.
/// </summary>
internal static class OneUserInARoomScenario
{
    public const string Room = "lobby";

    public sealed record Outcome(
        JsonElement JoinOfFirst,
        JsonElement JoinedOfSecond,
        List<JsonElement> AfterSecondJoined,
        List<JsonElement> AfterFirstLeft,
        JsonElement AfterLastClosed);

    /// <param name="signIn">Signs a user in on one of the two places (0 or 1) and waits for its users event.</param>
    public static async Task<Outcome> RunAsync(Func<int, string, CancellationToken, Task<TypedClient>> signIn, CancellationToken ct)
    {
        var bob = await signIn(0, "bob", ct);
        await bob.JoinedAsync(Room, ct);
        var first = await signIn(0, "alice", ct);
        await first.JoinedAsync(Room, ct);
        var joinOfFirst = await bob.ReceiveRoomEventAsync("join", Room, ct);

        var second = await signIn(1, "alice", ct);
        var joinedOfSecond = await second.JoinedAsync(Room, ct);
        // The second connection's marker travels the way its join would have: after it.
        await second.SayAsync(Room, "marker 1", ct);
        var afterSecondJoined = await bob.ReceiveUntilMessageAsync("marker 1", ct);

        await first.LeaveRoomAsync(Room, ct);
        await first.ReceiveEventAsync("left", ct);
        // Commands of one connection are handled in order: once this is answered, the leave is handled in full.
        await first.SendJsonAsync(new { type = "rooms" }, ct);
        await first.ReceiveEventAsync("rooms", ct);
        await second.SayAsync(Room, "marker 2", ct);
        var afterFirstLeft = await bob.ReceiveUntilMessageAsync("marker 2", ct);

        await second.CloseAsync(ct);
        var afterLastClosed = await bob.ReceiveEventAsync(ct);
        return new Outcome(joinOfFirst, joinedOfSecond, afterSecondJoined, afterFirstLeft, afterLastClosed);
    }

    public static void Check(Outcome outcome)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome.JoinOfFirst.Str("user"), Is.EqualTo("alice"));
            Assert.That(outcome.JoinedOfSecond.GetProperty("users").EnumerateArray().Select(u => u.GetString()), Is.EqualTo(new[] { "alice", "bob" }), "alice listed once");
            Assert.That(outcome.AfterSecondJoined.Select(e => e.Type()), Has.None.EqualTo("join"), "no join for the second connection");
            Assert.That(outcome.AfterFirstLeft.Select(e => e.Type()), Has.None.EqualTo("leave"), "no leave while the second connection is in the room");
            Assert.That(outcome.AfterLastClosed.Type(), Is.EqualTo("leave"), "the last connection closing is the leave");
            Assert.That(outcome.AfterLastClosed.Str("user"), Is.EqualTo("alice"));
        }
    }
}
