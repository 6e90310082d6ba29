using System.Globalization;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Recovery;

/// <summary>
/// Not a check but a measurement, run by hand (it is explicit):
/// <c>dotnet test Chat.Tests --filter FullyQualifiedName~KillDuringBurstMeasurement</c>.
/// A host with <c>--store</c> is killed with SIGKILL in the middle of a send burst and started
/// again on the same file: how many messages had clients seen that the file does not have, and did
/// the epoch change (it must, whenever that can be more than zero)?
/// </summary>
[Explicit("a measurement; prints figures")]
[CancelAfter(300_000)]
public sealed class KillDuringBurstMeasurement
{
    private const int Rounds = 5;
    private const int Senders = 4;
    private const int KillAfterSeen = 5000;

    /// <summary>Kept per stream: a joiner is sent this many at once, which must fit in its send queue (4,096).</summary>
    private const string History = "1000";

    [Test]
    public async Task Kill_9_during_a_send_burst_with_a_store_loses_only_the_last_moments_and_changes_the_epoch()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(280));
        var folder = Directory.CreateTempSubdirectory("fleck-chat-kill-").FullName;
        try
        {
            var lines = new List<string>();
            for (var round = 1; round <= Rounds; round++)
            {
                var file = Path.Combine(folder, $"round{round}.db");
                lines.Add(await RoundAsync(round, file, ct));
            }
            foreach (var line in lines)
            {
                TestContext.Out.WriteLine(line);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<string> RoundAsync(int round, string file, CancellationToken ct)
    {
        long seen;
        string epoch;
        double rate;
        var seenMessages = new Dictionary<long, string>();
        await using (var host = await RecoveryHost.StartAsync(ct, "--store", file, "--history", History, "--log-level", "Warning"))
        {
            var (observer, users) = await RecoveryHost.JoinAsync(host, "observer", ct);
            epoch = users.GetProperty("epoch").GetString()!;
            using var stop = new CancellationTokenSource();
            var senders = Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
            {
                try
                {
                    var (sender, _) = await RecoveryHost.JoinAsync(host, $"sender{s}", ct);
                    for (var i = 0; !stop.IsCancellationRequested && i < 1_000_000; i++)
                    {
                        await sender.SendJsonAsync(new { msg = $"{s}:{i}" }, stop.Token);
                        // As fast as the server takes them, but paced on its own echo now and then:
                        // unpaced, the readers' send queues overflow and they are cut (1008).
                        if (i % 20 == 19)
                        {
                            while ((await sender.ReceiveEventAsync("message", stop.Token)).GetProperty("msg").GetString() != $"{s}:{i}")
                            {
                            }
                        }
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or System.Net.WebSockets.WebSocketException or System.Threading.Channels.ChannelClosedException)
                {
                    // The host was killed under it.
                }
            }, ct)).ToArray();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (seenMessages.Count < KillAfterSeen)
            {
                var e = await observer.ReceiveEventAsync("message", ct);
                seenMessages[e.GetProperty("offset").GetInt64()] = e.GetProperty("msg").GetString()!;
            }
            rate = seenMessages.Count / clock.Elapsed.TotalSeconds;
            host.KillHard();
            await host.WaitForExitAsync(ct);
            // What had already reached the observer's socket counts as seen too.
            foreach (var text in observer.Drain())
            {
                var e = System.Text.Json.JsonDocument.Parse(text).RootElement;
                if (e.GetProperty("type").GetString() == "message")
                {
                    seenMessages[e.GetProperty("offset").GetInt64()] = e.GetProperty("msg").GetString()!;
                }
            }
            await stop.CancelAsync();
            await Task.WhenAll(senders);
            await observer.DisposeAsync();
            seen = seenMessages.Keys.Max();
        }

        await using var restarted = await RecoveryHost.StartAsync(ct, "--store", file, "--history", History, "--log-level", "Warning");
        var (reader, after) = await RecoveryHost.JoinAsync(restarted, "reader", ct);
        await using var _ = reader;
        var kept = after.GetProperty("offset").GetInt64();
        var history = new List<(long Offset, string Msg)>();
        var count = Math.Min(kept, int.Parse(History, CultureInfo.InvariantCulture));
        for (var i = 0; i < count; i++)
        {
            var e = await reader.ReceiveEventAsync("history", ct);
            history.Add((e.GetProperty("offset").GetInt64(), e.GetProperty("msg").GetString()!));
        }
        var mismatched = history.Count(h => seenMessages.TryGetValue(h.Offset, out var m) && m != h.Msg);
        var epochChanged = after.GetProperty("epoch").GetString() != epoch;
        Assert.That(mismatched, Is.Zero, "every kept message is the one clients saw under that offset");
        Assert.That(history.Select(h => h.Offset), Is.EqualTo(Enumerable.Range((int)(kept - count + 1), (int)count).Select(i => (long)i)));
        Assert.That(epochChanged, Is.True);
        return string.Create(CultureInfo.InvariantCulture,
            $"round {round}: clients saw up to offset {seen}; the file kept {kept}; lost (seen but not kept) {Math.Max(0, seen - kept)} = {Math.Max(0, seen - kept) / rate * 1000:F0} ms of the burst at {rate:F0} messages/s; kept but not yet seen {Math.Max(0, kept - seen)}; epoch changed: {epochChanged}");
    }
}
