using Fleck.Chat.Protocol;

namespace Fleck.Chat.Server;

/// <summary>
/// The nicknames whose connection is leaving this node right now: from before its claim is given up
/// until the others have been told it left. A new claim of such a name waits here, so a newcomer's
/// <c>join</c> is never announced before the <c>leave</c> of the connection it follows (which would
/// leave everyone thinking the name went offline).
/// Thread-safety: all members may be called concurrently.
/// </summary>
internal sealed class NicknameDepartures
{
    private readonly Dictionary<string, Departure> _leaving = new(Nickname.Comparer);
    private readonly Lock _lock = new();

    /// <summary>A connection holding <paramref name="nickname"/> starts leaving; pair with <see cref="End"/>.</summary>
    public void Begin(string nickname)
    {
        lock (_lock)
        {
            if (!_leaving.TryGetValue(nickname, out var departure))
            {
                _leaving[nickname] = departure = new Departure();
            }
            departure.Connections++;
        }
    }

    /// <summary>That connection's leave has been announced; once every leaving connection of the name is done, claims of it go ahead.</summary>
    public void End(string nickname)
    {
        Departure? done = null;
        lock (_lock)
        {
            if (_leaving.TryGetValue(nickname, out var departure) && --departure.Connections == 0)
            {
                _leaving.Remove(nickname);
                done = departure;
            }
        }
        done?.Announced.TrySetResult();
    }

    /// <summary>Completes once no connection holding <paramref name="nickname"/> is still leaving.</summary>
    public Task WaitAsync(string nickname)
    {
        lock (_lock)
        {
            return _leaving.TryGetValue(nickname, out var departure) ? departure.Announced.Task : Task.CompletedTask;
        }
    }

    private sealed class Departure
    {
        public int Connections { get; set; }

        public TaskCompletionSource Announced { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
