using System.Collections.Concurrent;
using System.Text.Json;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Rooms;

/// <summary>
/// Follows one client's membership from its own joined/left events and checks every event against
/// it: a message only for a room it is in, and within one stay in a room the live offsets follow
/// on from joined's offset with no gap and no repeat.
/// </summary>
internal sealed class MembershipChecker(string who, ConcurrentQueue<string> failures)
{
    private readonly Dictionary<string, long> _nextOffset = [];

    public int MessagesChecked { get; private set; }

    public bool IsIn(string room) => _nextOffset.ContainsKey(room);

    public async Task ReadUntilAsync(TypedClient client, string type, string room, CancellationToken ct)
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
