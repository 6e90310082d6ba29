using System.Text.Json;
using Fleck.Chat.Protocol;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Modes.Support;

/// <summary>
/// One nickname that closes its connection and opens a new one at once, round after round, and
/// records what each new connection received up to a marker it sent itself. A refusal because the
/// old connection still holds the name is the documented answer until that connection is gone:
/// such an attempt is simply made again.
/// </summary>
internal sealed class Reconnector(Func<string, CancellationToken, Task<TypedClient>> connect, string nickname)
{
    /// <summary>What one successful connection received, in order, its marker last.</summary>
    public sealed record Login(int Round, bool Aborted, List<JsonElement> Events);

    public List<Login> Logins { get; } = [];

    public int Refusals { get; private set; }

    public async Task RunAsync(int rounds, CancellationToken ct)
    {
        TypedClient? previous = null;
        var closings = new List<Task>();
        for (var round = 0; round < rounds; round++)
        {
            // Half the rounds close with a handshake, half drop the socket as a crashed tab does.
            var abort = round % 2 == 1;
            if (previous is not null)
            {
                if (abort)
                {
                    previous.Abort();
                }
                else
                {
                    // As a page does: close, and open the next one without waiting for the close to finish.
                    closings.Add(previous.CloseAsync(ct));
                }
            }
            previous = await ReconnectAsync(round, abort, ct);
        }
        await Task.WhenAll(closings);
    }

    private async Task<TypedClient> ReconnectAsync(int round, bool aborted, CancellationToken ct)
    {
        var marker = $"marker {nickname} {round}";
        while (true)
        {
            var client = await connect(nickname, ct);
            // Addressed to itself: echoed in nick-broadcast, delivered to itself in private mode.
            // A refused connection ignores it and closes.
            try
            {
                await client.SendJsonAsync(new { msg = marker, to_client = nickname }, ct);
            }
            catch (System.Net.WebSockets.WebSocketException)
            {
                // Refused and closed before the marker went out: the error is in the inbox.
            }
            var events = await ReadUntilMarkerOrRefusalAsync(client, marker, ct);
            if (events is null)
            {
                Refusals++;
                await client.DisposeAsync();
                continue;
            }
            Logins.Add(new Login(round, aborted, events));
            return client;
        }
    }

    /// <summary>Everything up to the marker; null when the server refused the name as taken.</summary>
    private static async Task<List<JsonElement>?> ReadUntilMarkerOrRefusalAsync(TypedClient client, string marker, CancellationToken ct)
    {
        var events = new List<JsonElement>();
        while (true)
        {
            System.Text.Json.JsonElement e;
            try
            {
                e = await client.ReceiveEventAsync(ct);
            }
            catch (System.Threading.Channels.ChannelClosedException)
            {
                throw new AssertionException($"closed ({client.CloseStatus} {client.CloseDescription}) after {string.Join(" | ", events.Select(x => x.GetRawText()))}");
            }
            events.Add(e);
            var type = e.GetProperty("type").GetString();
            if (type == "error" && e.GetProperty("code").GetString() == ChatErrorCode.NicknameTaken)
            {
                return null;
            }
            if (type is "message" or "private" && e.GetProperty("msg").GetString() == marker)
            {
                return events;
            }
        }
    }
}
